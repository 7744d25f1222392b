"""Typed answers graded as a teacher would: a table of (key, response, verdict, explanation).

Keys and responses are drawn from medicine, biology, history, languages and computing. The
explanation fragment, where given, must appear (case aside) in the grade's feedback: what the
response was accepted as, or why a close response was refused.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from quizapp.grading import REGISTRY, get_type
from quizapp.grading.textmatch import MatchRules, judge
from quizapp.grading.typed import read_cloze


class Case(NamedTuple):
    key: str
    response: str
    right: bool
    says: str = ""


OK, NO = True, False

CASES: list[Case] = [
    # --- the examples of issue 12 ---------------------------------------------------------
    Case("B cell maturation antigen", "the B cell maturation antigen", OK),
    Case("B cell maturation antigen", "BCMA (B cell maturation antigen)", OK),
    Case("technology", "technologies", OK, "accepted 'technologies' as 'technology'"),
    Case("tumour antigens", "a tumor antigen", OK, "accepted 'antigen' as 'antigens'"),
    Case("chimeric antigen receptor T cells / CAR-T", "CAR-T cells", OK),
    Case("4", "four", OK),
    Case("stem cell transplantation", "stem-cell transplant", OK, "'transplant' as"),
    Case(
        "hypercalcemia",
        "hypocalcemia",
        NO,
        "close to 'hypercalcemia', but hypo- and hyper- are different terms",
    ),
    Case("B cell maturation antigen", "T cell maturation antigen", NO, "'T' is not 'B'"),
    Case("BCMA", "BCMA, CD19, SLAMF7", NO, "lists several answers"),
    Case("BCMA", "BCMA or CD19", NO, "lists several answers"),
    Case("BCMA", "not BCMA", NO, "negates the answer"),
    # --- medicine: case, punctuation, articles --------------------------------------------
    Case("multiple myeloma", "Multiple Myeloma", OK),
    Case("multiple myeloma", "multiple-myeloma.", OK),
    # An abbreviation stands for its words only where the answer names it: asked what CAR-T
    # or MM stands for, the abbreviation itself is no answer.
    Case("multiple myeloma", "MM", NO),
    Case("multiple myeloma (MM)", "MM", OK),
    Case("chimeric antigen receptor T cells", "CAR-T cells", NO),
    Case("chimeric antigen receptor T cells", "CAR-T", NO),
    Case("multiple myeloma", "myeloma", NO),
    Case("multiple myeloma", "multiple sclerosis", NO),
    Case("bone marrow", "the bone marrow", OK),
    Case("bone marrow", "bone marow", OK, "mind the spelling: bone marrow"),
    Case("bone marrow", "bone", NO),
    Case("plasma cells", "plasma cell", OK, "accepted 'cell' as 'cells'"),
    Case("plasma cells", "plasmacells", OK),
    Case("plasma cells", "plasma", NO),
    Case("CAR-T", "CAR T", OK),
    Case("CAR-T", "cart", OK),
    Case("CAR-T", "CAR-NK", NO),
    Case("cytokine release syndrome (CRS)", "CRS", OK),
    Case("cytokine release syndrome (CRS)", "cytokine release syndrome", OK),
    Case("cytokine release syndrome (CRS)", "cytokine-release syndrome (CRS)", OK),
    Case("cytokine release syndrome (CRS)", "cytokine storm", NO),
    Case("CRS (cytokine release syndrome)", "cytokine release syndrome", OK),
    Case("CRS (cytokine release syndrome)", "ICANS", NO),
    Case("hypercalcemia", "hypercalcaemia", OK),
    Case("hypercalcemia", "Hypercalcemia.", OK),
    Case("hypercalcemia", "hypercalemia", OK, "mind the spelling"),
    Case("hypercalcemia", "hypokalemia", NO),
    Case("hyperglycaemia", "hypoglycemia", NO, "hypo- and hyper- are different terms"),
    Case("hypertension", "hypotension", NO, "hypo- and hyper- are different terms"),
    Case("hypertension", "hypertenshun", OK, "mind the spelling"),
    Case("hypertension", "hypertenion", OK, "mind the spelling"),
    Case("hypothyroidism", "hyperthyroidism", NO, "hyper- and hypo- are different terms"),
    Case("anaemia", "anemia", OK),
    Case("leukaemia", "leukemia", OK),
    Case("leukemia", "leukaemias", OK),
    Case("oedema", "edema", OK),
    Case("oesophagus", "esophagus", OK),
    Case("haematology", "hematology", OK),
    Case("paediatrics", "pediatrics", OK),
    Case("foetus", "fetus", OK),
    Case("tumour", "tumor", OK),
    Case("tumour", "tumors", OK),
    Case("tumour", "rumour", NO),
    Case("renal impairment", "kidney impairment", NO),
    Case("renal impairment", "renal impairments", OK),
    Case("stem cell transplantation", "stem cell transplants", OK),
    Case("stem cell transplantation", "stem cell", NO),
    Case("autologous stem cell transplantation", "allogeneic stem cell transplantation", NO),
    Case("tachycardia", "bradycardia", NO, "brady- and tachy- are different terms"),
    Case("tachycardia", "tachicardia", OK, "mind the spelling"),
    Case("tumour", "tumuor", OK, "mind the spelling"),
    Case("trial", "trail", OK),  # a swap is a typo even where it makes another word
    Case("appendectomy", "appendicectomy", OK),
    Case("appendectomy", "appendotomy", NO, "-otomy and -ectomy are different terms"),
    Case("nephritis", "nephrosis", NO),
    Case("arthritis", "arthritus", OK, "mind the spelling"),
    Case("afferent", "efferent", NO, "ef- and af- are different terms"),
    Case("abduction", "adduction", NO, "ad- and ab- are different terms"),
    Case("prenatal", "postnatal", NO),
    Case("intravenous", "intravenously", OK),
    Case("intracellular", "intercellular", NO, "inter- and intra- are different terms"),
    Case("intracellular", "intracelular", OK, "mind the spelling"),
    Case("extracellular", "intracellular", NO),
    Case("endocrine", "exocrine", NO, "exo- and endo- are different terms"),
    Case("paracetamol (acetaminophen)", "acetaminophen", OK),
    Case("paracetamol (acetaminophen)", "paracetemol", OK, "mind the spelling"),
    Case("relapsed or refractory", "Relapsed or Refractory", OK),
    Case("relapsed or refractory", "relapsed", NO),
    Case("remission", "remissions", OK),
    Case("remission", "permission", NO),
    Case("GPRC5D", "GPRC6D", NO, "numbers must be exact"),
    Case("GPRC5D", "gprc5d", OK),
    Case("CD19", "CD-19", OK),
    Case("CD19", "CD 19", OK),
    Case("CD19", "CD91", NO, "numbers must be exact"),
    Case("CD38", "CD3", NO),
    Case("IL-6", "IL6", OK),
    Case("IL-6", "interleukin 6", NO),
    # --- biology --------------------------------------------------------------------------
    Case("mitochondrion", "mitochondria", OK),
    Case("mitochondria", "the mitochondrion", OK),
    Case("nucleus", "nuclei", OK),
    Case("bacterium", "bacteria", OK),
    Case("fungi", "fungus", OK),
    Case("photosynthesis", "photosythesis", OK, "mind the spelling"),
    Case("photosynthesis", "chemosynthesis", NO),
    Case("deoxyribonucleic acid (DNA)", "DNA", OK),
    Case("deoxyribonucleic acid (DNA)", "RNA", NO),
    Case("DNA", "RNA", NO),
    Case("ribonucleic acid", "deoxyribonucleic acid", NO),
    Case("mitosis", "meiosis", NO),
    Case("meiosis", "meiossis", OK, "mind the spelling"),
    Case("osteoblast", "osteoclast", NO),
    Case("osteoblasts", "osteoblast", OK),
    Case("hydrophilic", "hydrophobic", NO),
    Case("catabolism", "anabolism", NO),
    Case("homozygous", "heterozygous", NO),
    Case("heterozygous", "heterozygos", OK, "mind the spelling"),
    Case("monosaccharide", "disaccharide", NO),
    Case("monosaccharides", "monosacharide", OK, "mind the spelling"),
    Case("disaccharide", "trisaccharide", NO, "tri- and di- are different terms"),
    Case("macrophage", "microphage", NO),
    Case("polypeptide", "polypeptides", OK),
    Case("polypeptide", "monopeptide", NO),
    Case("T lymphocytes", "T-lymphocyte", OK),
    Case("T lymphocytes", "B lymphocytes", NO, "'B' is not 'T'"),
    Case("natural killer cells / NK", "NK cells", OK),
    Case("natural killer cells / NK", "NK cell", OK),
    Case("natural killer cells", "killer cells", NO),
    Case("amino acids", "amino acid", OK),
    Case("chloroplast", "chloroplasts", OK),
    Case("chloroplast", "chlorophyll", NO),
    Case("[the] immune escape [mechanism]", "immune escape", OK),
    Case("[the] immune escape [mechanism]", "the immune escape mechanism", OK),
    Case("[the] immune escape [mechanism]", "immune escape mechanisms", OK),
    Case("[the] immune escape [mechanism]", "immune", NO),
    Case("[the] immune escape [mechanism]", "immune response", NO),
    Case("ATP synthase", "ATP-synthase", OK),
    Case("ATP synthase", "ADP synthase", NO),
    Case("amplified", "amplify", OK, "accepted 'amplify' as 'amplified'"),
    Case("amplified", "amplification", NO),
    Case("extracted", "extract", OK),
    Case("extracted", "extraction", OK),
    Case("genetically engineered", "genetically-engineered", OK),
    Case("genetically engineered", "genetically engineering", OK),
    Case("infused", "infusion", OK),
    Case("infused", "injected", NO),
    # --- history ---------------------------------------------------------------------------
    Case("the French Revolution", "French revolution", OK),
    Case("the French Revolution", "the Russian Revolution", NO),
    Case("Napoleon Bonaparte", "Napoléon Bonaparte", OK),
    Case("Napoleon Bonaparte", "Napolean Bonaparte", OK, "mind the spelling"),
    Case("[Napoleon] Bonaparte", "Bonaparte", OK),
    Case("Louis XIV", "Louis XVI", NO),
    Case("Louis XIV", "louis xiv", OK),
    Case("1789", "1789", OK),
    Case("1789", "1798", NO),
    Case("1789", "1788", NO),
    Case("1 500", "1500", OK),
    Case("the First World War", "the 1st World War", OK),
    Case("the First World War", "the Second World War", NO),
    Case("World War I", "world war II", NO),
    Case("the Hundred Years' War", "Hundred Years War", OK),
    Case("the Industrial Revolution", "industrial revolutions", OK),
    Case("Treaty of Versailles", "the Treaty of Versailles", OK),
    Case("Treaty of Versailles", "Treaty of Verseilles", OK, "mind the spelling"),
    Case("Treaty of Versailles", "Treaty of Westphalia", NO),
    Case("Julius Caesar", "Julius Ceasar", OK),
    Case("Julius Caesar", "Augustus", NO),
    Case("Magna Carta", "Magna Charta", OK),
    Case("the Reformation", "the Renaissance", NO),
    Case("Charlemagne", "Charles the Great", NO),
    Case("Berlin Wall", "Berlin Walls", OK),
    Case("twenty", "20", OK),
    Case("21", "twenty-one", OK),
    Case("thirty-five", "35", OK),
    Case("seven", "7", OK),
    Case("seven", "8", NO),
    Case("12", "twelve", OK),
    Case("12", "twenty", NO),
    Case("200", "two hundred", OK),
    Case("first", "1st", OK),
    Case("third", "3rd", OK),
    Case("third", "3", NO),
    # --- languages --------------------------------------------------------------------------
    Case("réfractaire", "refractaire", OK),
    Case("école", "ecole", OK),
    Case("Straße", "strasse", OK),
    Case("colour", "color", OK),
    Case("favourite", "favorite", OK),
    Case("centre", "center", OK),
    Case("theatre", "theater", OK),
    Case("fibre", "fiber", OK),
    Case("organise", "organize", OK),
    Case("organisation", "organization", OK),
    Case("analyse", "analyze", OK),
    Case("paralysed", "paralyzed", OK),
    Case("catalogue", "catalog", OK),
    Case("dialogue", "dialog", OK),
    Case("defence", "defense", OK),
    Case("grey", "gray", OK),
    Case("programme", "program", OK),
    Case("four", "4", OK),
    Case("four", "for", NO),
    Case("hour", "our", NO),
    Case("children", "child", OK),
    Case("mice", "mouse", OK),
    Case("women", "woman", OK),
    Case("the subjunctive", "subjunctive", OK),
    Case("the subjunctive", "the indicative", NO),
    Case("past participle", "past participles", OK),
    Case("past participle", "present participle", NO),
    Case("irregular verbs", "regular verbs", NO),
    Case("preposition", "prepositions", OK),
    Case("preposition", "proposition", NO),
    Case("synonym", "antonym", NO),
    Case("a", "a", OK),
    Case("an apple", "apple", OK),
    Case("an apple", "apples", OK),
    Case("an apple", "an ample", NO),
    # --- computing ---------------------------------------------------------------------------
    Case("central processing unit (CPU)", "CPU", OK),
    Case("central processing unit", "CPU (central processing unit)", OK),
    Case("central processing unit", "GPU (central processing unit)", NO),
    Case("central processing unit (CPU)", "central processor unit", NO),
    Case("central processing unit (CPU)", "GPU", NO),
    Case("random access memory (RAM)", "random-access memory", OK),
    Case("random access memory (RAM)", "ROM", NO),
    Case("HTTP", "HTTPS", NO),
    Case("IPv4", "IPv6", NO, "numbers must be exact"),
    Case("UTF-8", "utf8", OK),
    Case("UTF-8", "UTF-16", NO),
    Case("binary search", "binary searches", OK),
    Case("binary search", "linear search", NO),
    Case("binary search tree", "binary serach tree", OK, "mind the spelling"),
    Case("recursion", "recursive", NO),
    Case("recursion", "recusion", OK, "mind the spelling"),
    Case("compiler", "compilers", OK),
    Case("compiler", "interpreter", NO),
    Case("stack", "stacks", OK),
    Case("stack", "queue", NO),
    Case("stack", "stalk", NO),
    Case("overflow", "underflow", NO),
    Case("uploading", "downloading", NO),
    Case("encryption", "decryption", NO),
    Case("deadlock", "dead lock", OK),
    Case("garbage collection", "garbage collector", NO),
    Case("hash table / hash map", "hashmap", OK),
    Case("hash table / hash map", "hash tables", OK),
    Case("hash table / hash map", "hash tree", NO),
    Case("SQL injection", "SQL injections", OK),
    Case("SQL injection", "SQL-injection", OK),
    Case("SQL injection", "XSS or SQL injection", NO, "lists several answers"),
    Case("big O notation", "Big-O notation", OK),
    Case("TCP", "UDP", NO),
    Case("TCP", "not UDP", NO),
    Case("Python", "not Python", NO, "negates the answer"),
    Case("Python", "Python, Java", NO, "lists several answers"),
    Case("Python", "Python; Java; C", NO, "lists several answers"),
    Case("Python", "no python", NO, "negates the answer"),
    Case("salt and pepper", "salt and pepper", OK),
    Case("Watson and Crick", "Watson & Crick", OK),
    Case("Watson and Crick", "Watson", NO),
    Case("BCMA", "BCMA or B cell maturation antigen", NO),
    Case("BCMA (B cell maturation antigen)", "BCMA or B cell maturation antigen", OK),
    Case("BCMA (B cell maturation antigen)", "BCMA (CD19)", NO),
    Case("non-small cell lung cancer", "non small cell lung cancer", OK),
    Case("non-small cell lung cancer", "small cell lung cancer", NO),
    Case("", "", NO),
    Case("BCMA", "", NO),
    Case("BCMA", "  ...  ", NO),
]


def _feedback(key: str, response: str) -> tuple[bool, str]:
    grade = REGISTRY["short_answer"].grade({"answers": [key]}, response)
    return grade.score == 1.0, " ".join(grade.feedback).casefold()


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=f"{c.key}|{c.response}") for c in CASES if c.key]
)
def test_typed_answer(case: Case) -> None:
    right, feedback = _feedback(case.key, case.response)
    assert right is case.right, feedback
    assert case.says.casefold() in feedback


def test_the_table_is_large_and_has_no_duplicates() -> None:
    assert len(CASES) >= 150
    assert len({(c.key, c.response) for c in CASES}) == len(CASES)


def test_an_empty_key_matches_nothing() -> None:
    assert judge("", [""]).match is None


@pytest.mark.parametrize(
    ("others", "response", "right", "says"),
    [
        ((), "hypercalcemia", True, ""),
        ((), "hypercalcemai", True, "mind the spelling"),
        # A typo that turns the response into another question's answer is not forgiven.
        (("hypocalcemia",), "hypercalcemai", True, ""),
        (("calcemia", "hyperkalemia"), "hyperkalemia", False, "another answer of this set"),
        (("hypercalcemia",), "hypercalcemia", True, ""),
    ],
)
def test_a_typo_is_not_forgiven_into_another_answer_of_the_set(
    others: tuple[str, ...], response: str, right: bool, says: str
) -> None:
    grade = REGISTRY["short_answer"].grade({"answers": ["hypercalcemia"]}, response, others=others)
    assert (grade.score == 1.0) is right
    assert says in " ".join(grade.feedback)


def test_cloze_gaps_use_the_same_matcher() -> None:
    spec = {
        "text": "CAR-T cells target [[BCMA (B cell maturation antigen)]] in [[tumour cells]]"
        " and can cause [[hypercalcemia]]; they are made from [[autologous]] T cells."
    }
    grade = REGISTRY["cloze"].grade(
        spec, ["the B cell maturation antigen", "tumor cell", "hypocalcemia", "autologus"]
    )
    assert [p.correct for p in grade.parts] == [True, True, False, True]
    assert grade.feedback == (
        "Accepted 'cell' as 'cells'.",
        "Close to 'hypercalcemia', but hypo- and hyper- are different terms.",
        "Accepted, but mind the spelling: autologous",
    )


def test_cloze_gaps_may_hold_optional_words() -> None:
    spec = {"text": "Tumours evade [[[the] immune escape [mechanism]]]; [[[the] T cells]] fight."}
    assert read_cloze(spec["text"]).gaps == (
        ("[the] immune escape [mechanism]",),
        ("[the] T cells",),
    )
    grade = REGISTRY["cloze"].grade(spec, ["immune escape mechanism", "T cell"])
    assert grade.score == 1.0


def test_cloze_gap_typo_does_not_become_another_gap() -> None:
    spec = {"text": "[[hyperkalemia]] and [[hypokalemia]] are opposites."}
    grade = REGISTRY["cloze"].grade(spec, ["hypokalemia", "hypokalemia"])
    assert [p.correct for p in grade.parts] == [False, True]


def test_matching_rules_still_apply() -> None:
    strict = MatchRules(case=True, typos=0)
    assert judge("bcma", ["BCMA"], strict).match is None
    assert judge("BCMA", ["BCMA"], strict).match is not None
    assert judge("technologies", ["technology"], MatchRules(typos=0)).match is not None
    assert judge("tecnology", ["technology"], MatchRules(typos=0)).match is None


def test_articles_of_the_sets_language() -> None:
    assert judge("la moelle osseuse", ["moelle osseuse"], language="fr").match is not None
    assert judge("die Zelle", ["Zelle"], language="de").match is not None


@pytest.mark.parametrize(
    ("response", "right"),
    [("four", True), ("Four mg", True), ("4", True), ("five", False), ("fourth", False)],
)
def test_numeric_answers_written_in_words(response: str, right: bool) -> None:
    grade = REGISTRY["numeric"].grade({"answer": 4, "unit": "mg"}, response)
    assert (grade.score == 1.0) is right


def test_numeric_answers_in_words_beyond_twenty() -> None:
    assert REGISTRY["numeric"].grade({"answer": 21}, "twenty-one").score == 1.0
    assert REGISTRY["numeric"].grade({"answer": 200}, "two hundred").score == 1.0


def test_every_type_takes_the_sets_other_answers_and_language() -> None:
    # Callers pass the set's part (study.common.grading_context) to whatever type they grade.
    for name, qtype in REGISTRY.items():
        assert qtype.grade.__kwdefaults__ == {"others": (), "language": "en"}, name


def test_typed_answers_of_a_question() -> None:
    short_answer = get_type("short_answer").typed_answers({"answers": ["BCMA", "CD19"]})
    assert short_answer == ("BCMA", "CD19")
    assert get_type("cloze").typed_answers({"text": "[[a|b]] and [[c]]"}) == ("a", "b", "c")
    assert get_type("numeric").typed_answers({"answer": 4}) == ()


# --- accepting one more answer (an instructor's click on a response marked wrong) -----------


def test_a_short_answer_accepts_one_more_answer_and_then_grades_it_right() -> None:
    qtype = get_type("short_answer")
    spec = {"answers": ["B cell maturation antigen", "BCMA"]}
    assert qtype.grade(spec, "TNFRSF17").score == 0.0
    wider = qtype.with_accepted(spec, 0, "TNFRSF17")
    assert wider == {"answers": ["B cell maturation antigen", "BCMA", "TNFRSF17"]}
    assert qtype.validate(wider) == []
    assert qtype.grade(wider, "TNFRSF17").score == 1.0
    # The answer shown as correct stays the first: learners' memory is kept.
    assert qtype.answer_digest(wider) == qtype.answer_digest(spec)
    with pytest.raises(ValueError, match="one part"):
        qtype.with_accepted(spec, 1, "x")


def test_a_cloze_accepts_one_more_answer_in_one_gap_only() -> None:
    qtype = get_type("cloze")
    spec = {"text": "T cells are [[extracted|collected]] and then [[amplified]] in the lab."}
    wider = qtype.with_accepted(spec, 1, "expanded")
    assert wider is not None
    assert wider["text"] == (
        "T cells are [[extracted|collected]] and then [[amplified|expanded]] in the lab."
    )
    assert qtype.validate(wider) == []
    assert qtype.grade(wider, ["collected", "expanded"]).score == 1.0
    assert qtype.grade(wider, ["expanded", "amplified"]).score == 0.5  # not in the first gap
    assert qtype.answer_digest(wider) == qtype.answer_digest(spec)
    with pytest.raises(ValueError, match="2 gaps"):
        qtype.with_accepted(spec, 2, "x")
    with pytest.raises(ValueError, match="cannot hold"):
        qtype.with_accepted(spec, 0, "a|b")


@pytest.mark.parametrize("name", ["single_choice", "true_false", "numeric", "ordering"])
def test_types_not_typed_accept_nothing(name: str) -> None:
    assert get_type(name).with_accepted({}, 0, "x") is None


# --- the set's language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "key", "response", "right"),
    [
        ("fr", "mitochondrie", "la mitochondrie", True),  # its articles are dropped
        ("fr", "cellule souche", "une cellule souche", True),
        ("de", "Knochenmark", "das Knochenmark", True),
        ("es", "médula ósea", "la medula osea", True),  # accents aside, as in English
        ("it", "midollo osseo", "il midollo osseo", True),
        ("en", "mitochondrie", "la mitochondrie", False),  # "la" is a word in English
        # English inflections are not taken for another language's forms.
        ("en", "technology", "technologies", True),
        ("fr", "technology", "technologies", False),  # English y -> ies is no rule there
        ("fr", "cellule", "celulle", True),  # a typo is a typo in any language
    ],
)
def test_a_sets_language_decides_articles_and_word_forms(
    language: str, key: str, response: str, right: bool
) -> None:
    grade = get_type("short_answer").grade({"answers": [key]}, response, language=language)
    assert (grade.score == 1.0) is right
    gaps = get_type("cloze").grade({"text": f"[[{key}]]"}, [response], language=language)
    assert (gaps.score == 1.0) is right


def test_every_language_a_set_may_have_has_its_articles() -> None:
    from quizapp.grading import LANGUAGES
    from quizapp.grading.wording import ARTICLES

    assert set(LANGUAGES) == set(ARTICLES)
