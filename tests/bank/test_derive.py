"""Drafting questions from a document: on the seed review and on a second, Markdown document."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskCliRunner

from quizapp.bank.derive import derive, slugify
from quizapp.bank.derive_cli import derive_command, source_path_for
from quizapp.bank.derive_sections import find_sections, find_sentences
from quizapp.bank.derive_terms import is_acronym
from quizapp.bank.model import QuestionDoc, SetDoc
from quizapp.bank.validate import check_file, check_text, validate_set
from quizapp.bank.yamlformat import dump_set
from quizapp.sets.cli import bank_cli

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "questions" / "car-t-myeloma.source.txt"
SECOND = Path(__file__).parent / "fixtures" / "second_document.md"
LOST = "**"
GAP = re.compile(r"\[\[(.+?)\]\]")
NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*(?: (?:hundred|thousand|million|billion))?"
    r"|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty"
)

SEED_SECTIONS = [
    "I. Introduction",
    "2. Chimeric antigen receptor T cell (CAR-T)** principle",
    "3. Application of CAR-T in multiple myeloma**",
    "Fourth, clinical trial data display",
    "5. Problems and coping strategies",
    "6. Novel targets and next-generation CAR-T**",
    "7. Summary and prospects",
]
SECOND_SECTIONS = [
    "How data crosses the Internet",
    "Addresses and routing",
    "Reliable delivery",
    "Datagrams without connections",
    "Names for addresses",
    "The Web",
]


def squash(text: str) -> str:
    return " ".join(text.split())


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


DOCUMENTS = {
    "seed": (read(SEED), "CAR-T cell therapy in multiple myeloma", SEED_SECTIONS),
    "second": (read(SECOND), "How data crosses the Internet", SECOND_SECTIONS),
}
DERIVED = {name: derive(text, title, f"{name}-set") for name, (text, title, _) in DOCUMENTS.items()}


@pytest.fixture(params=sorted(DOCUMENTS))
def case(request: pytest.FixtureRequest) -> tuple[str, SetDoc, list[str]]:
    text, _, sections = DOCUMENTS[request.param]
    return text, DERIVED[request.param], sections


def gaps(question: QuestionDoc) -> list[list[str]]:
    return [g.split("|") for g in GAP.findall(question.spec["text"])]


def answers(question: QuestionDoc, *, aliases: bool = True) -> list[str]:
    """The answers a draft credits (cloze gaps, the correct choice); none for true/false.

    A gap may also accept the term's acronym or long form (an alias, from elsewhere in the
    text); ``aliases=False`` keeps only what the sentence itself says.
    """
    if question.type == "cloze":
        return [alt for gap in gaps(question) for alt in (gap if aliases else gap[:1])]
    if question.type in ("single_choice", "multiple_response"):
        return [c["text"] for c in question.spec["choices"] if c["correct"]]
    if question.type == "short_answer":
        return list(question.spec["answers"])
    return []


def main_answer(question: QuestionDoc) -> str:
    if question.type == "cloze":
        return " ".join(gap[0] for gap in gaps(question))
    if question.type == "ordering":
        return " > ".join(question.spec["items"])
    if question.type == "matching":
        return " ".join(p["left"] for p in question.spec["pairs"])
    return " ".join(answers(question))


def kind(option: str) -> str:
    if NUMBER.fullmatch(option.lower()):
        return "number"
    return "acronym" if is_acronym(option) else "words"


# ---------------------------------------------------------------- the whole set


def test_one_draft_per_sentence_and_no_answer_over_and_over(
    case: tuple[str, SetDoc, list[str]],
) -> None:
    doc = case[1]
    assert len(doc.questions) >= 8
    quotes = Counter(squash(q.source.quote) for q in doc.questions)
    assert [quote for quote, n in quotes.items() if n > 1] == []
    asked = Counter(main_answer(q).lower() for q in doc.questions)
    assert [answer for answer, n in asked.items() if n > 2] == []


def test_sections_become_topics(case: tuple[str, SetDoc, list[str]]) -> None:
    _, doc, sections = case
    assert [t.section for t in doc.topics] == sections
    assert len({q.topic for q in doc.questions}) >= len(sections) // 2
    assert all(q.source.section == doc_section(doc, q) for q in doc.questions)


def doc_section(doc: SetDoc, question: QuestionDoc) -> str:
    return next(t.section for t in doc.topics if t.id == question.topic)


def test_more_types_than_cloze_and_choice_are_made() -> None:
    types = {q.type for doc in DERIVED.values() for q in doc.questions}
    assert {"cloze", "single_choice", "short_answer", "ordering"} <= types


def test_the_app_validator_accepts_the_drafts(case: tuple[str, SetDoc, list[str]]) -> None:
    assert validate_set(case[1]) == []


def test_drafts_round_trip_through_the_yaml_writer(case: tuple[str, SetDoc, list[str]]) -> None:
    parsed = check_text(dump_set(case[1], inline_source=True), "draft.yaml")
    assert parsed.problems == ()
    assert parsed.doc == case[1]


def test_ids_are_stable_and_unique(case: tuple[str, SetDoc, list[str]]) -> None:
    text, doc, _ = case
    again = derive(text, doc.title, doc.id)
    assert [q.id for q in again.questions] == [q.id for q in doc.questions]
    assert len({q.id for q in doc.questions}) == len(doc.questions)


def test_ids_come_from_content_not_position(case: tuple[str, SetDoc, list[str]]) -> None:
    text, doc, _ = case
    heading = "# Appendix" if text.startswith("#") else "8. Appendix."
    extended = derive(f"{text}\n\n{heading}\n\nNothing more is said here at all.\n", "t", "x")
    assert len(extended.topics) == len(doc.topics) + 1
    assert {q.id for q in doc.questions} <= {q.id for q in extended.questions}


# ---------------------------------------------------------------- every draft


def test_quotes_are_verbatim_and_never_cross_lost_text(
    case: tuple[str, SetDoc, list[str]],
) -> None:
    text, doc, _ = case
    for q in doc.questions:
        assert q.source.quote in text, q.id
        assert LOST not in q.source.quote, q.id
        assert len(q.source.quote.split()) >= 5, q.id


def test_no_answer_or_option_touches_lost_text(case: tuple[str, SetDoc, list[str]]) -> None:
    text, doc, _ = case
    for q in doc.questions:
        options = [c["text"] for c in q.spec.get("choices", [])]
        for shown in [*answers(q), *options, q.prompt, q.spec.get("text", "")]:
            assert LOST not in shown, q.id
        for answer in answers(q, aliases=False):
            assert_not_beside_lost(text, q.source.quote, answer)
        for answer in answers(q):
            assert squash(answer).lower() in squash(text).lower(), (q.id, answer)


def assert_not_beside_lost(text: str, quote: str, answer: str) -> None:
    """The answer is in the quote, and where the quote meets lost text it is not the answer."""
    at = text.index(quote)
    assert squash(answer).lower() in squash(quote).lower(), (answer, quote)
    if text[at + len(quote) : at + len(quote) + 2] == LOST:
        assert not squash(quote).lower().endswith(squash(answer).lower()), (answer, quote)
    if text[max(at - 2, 0) : at] == LOST:
        assert not squash(quote).lower().startswith(squash(answer).lower()), (answer, quote)


def test_no_two_drafts_ask_the_same_thing(case: tuple[str, SetDoc, list[str]]) -> None:
    keys = [(main_answer(q).lower(), squash(q.source.quote)) for q in case[1].questions]
    assert [k for k, n in Counter(keys).items() if n > 1] == []
    shown = [squash(q.prompt + q.spec.get("text", "")) for q in case[1].questions]
    assert [s for s, n in Counter(shown).items() if n > 1] == []


def test_single_choice_has_one_correct_of_three_or_more_options_of_a_kind(
    case: tuple[str, SetDoc, list[str]],
) -> None:
    for q in (q for q in case[1].questions if q.type == "single_choice"):
        choices = q.spec["choices"]
        texts = [c["text"].lower() for c in choices]
        correct = [c["text"] for c in choices if c["correct"]]
        assert len(choices) >= 3, q.id
        assert len(set(texts)) == len(texts), q.id
        assert len(correct) == 1, q.id
        assert {kind(c["text"]) for c in choices} == {kind(correct[0])}, q.id
        assert all(c["feedback"] for c in choices), q.id
        blank = q.prompt.rsplit("? “", 1)[1]
        assert "_____" in blank, q.id
        others = [t for t in texts if t != correct[0].lower()]
        assert not any(re.search(rf"\b{re.escape(t)}\b", blank.lower()) for t in others), q.id


def test_cloze_gaps_are_document_text_hidden_everywhere_in_the_sentence(
    case: tuple[str, SetDoc, list[str]],
) -> None:
    for q in (q for q in case[1].questions if q.type == "cloze"):
        assert gaps(q), q.id
        visible = GAP.sub("_", q.spec["text"]).lower()
        for gap in gaps(q):
            assert squash(gap[0]).lower() in squash(q.source.quote).lower(), q.id
            assert not re.search(rf"(?<![\w-]){re.escape(gap[0].lower())}(?![\w-])", visible)


def test_prompts_are_tidy_sentences(case: tuple[str, SetDoc, list[str]]) -> None:
    for q in case[1].questions:
        for text in (q.prompt, q.spec.get("text", ""), q.explanation):
            if not text:
                continue
            assert text[0].isupper() or text[0] in "[“", (q.id, text)
            assert not re.search(r"  | ,| \.", text), (q.id, text)
        assert q.prompt.rstrip("”").endswith((".", "?", "!", ":")), (q.id, q.prompt)
        assert not re.search(r"\b[Aa] [aeiou]|\b[Aa]n [bcdfgjkpqtvwz]", q.prompt), q.prompt
        # Before a hidden term the article is neutral, or it would give the term's first sound.
        shown = q.prompt + q.spec.get("text", "")
        assert not re.search(r"(?<![\w(])[Aa]n? (?:_____|\[\[)", shown), (q.id, shown)


def test_no_blank_on_a_number_a_stop_word_or_the_title_subject(
    case: tuple[str, SetDoc, list[str]],
) -> None:
    subject = {"multiple myeloma", "car-t", "mm", "internet"}
    for q in case[1].questions:
        for answer in answers(q, aliases=False):
            assert not NUMBER.fullmatch(answer.lower()), (q.id, answer)
            assert answer.lower() not in {"the", "and", "must", "may", "not", "how"}, q.id
            if q.type != "short_answer":
                assert answer.lower() not in subject, (q.id, answer)


# ---------------------------------------------------------------- the seed document in detail


def seed_question(predicate_text: str) -> list[QuestionDoc]:
    return [
        q
        for q in DERIVED["seed"].questions
        if predicate_text in q.prompt or predicate_text in q.spec.get("text", "")
    ]


def test_seed_abbreviations_are_asked_as_the_text_spells_them_out() -> None:
    asked = {
        q.prompt.rsplit(", ", 1)[1]: q.spec["answers"]
        for q in DERIVED["seed"].questions
        if q.type == "short_answer" and "stand for" in q.prompt
    }
    assert asked["what does BCMA stand for?"] == ["B cell maturation antigen"]
    assert asked["what does SLAMF7 stand for?"] == [
        "signaling lymphocyte activating molecule family 7"
    ]


def test_seed_steps_are_an_ordering_and_open_lists_are_not_blanked() -> None:
    (order,) = [q for q in DERIVED["seed"].questions if q.type == "ordering"]
    assert order.spec["items"] == [
        "extracted from the patient's body",
        "genetically engineered to express a chimeric antigen receptor",
        "amplified in vitro",
        "infused back to the patient",
    ]
    # "such as A, ___ and C" has no one right answer: a cloze never blanks a listed example.
    for q in DERIVED["seed"].questions:
        if q.type == "cloze":
            assert not re.search(r"such as (?:the )?\[\[", q.spec["text"]), q.id
            assert not re.search(r"such as [^.]*, \[\[", q.spec["text"]), q.id


def test_seed_sentences_with_lost_words_show_them_as_an_ellipsis() -> None:
    shown = [q.spec.get("text", "") + q.prompt for q in DERIVED["seed"].questions]
    assert any("treated with CAR-T …." in s for s in shown)
    assert not any("immunity method" in s for s in shown)


def test_seed_truncated_sentence_is_not_used() -> None:
    assert seed_question("better efficacy and lower efficacy") == []


# ---------------------------------------------------------------- the parts


def test_headings_of_every_style() -> None:
    text = (
        "I. Opening. The first part starts on the heading's line.\n"
        "2. Numbered part\nBody two.\n"
        "Third, an ordinal part.\nBody three.\n"
        "2.1) A subsection\nBody four.\n"
        "1. Take a long numbered line that is really a sentence of the body text. It goes on.\n"
    )
    sections = find_sections(text)
    assert [(s.heading, s.title) for s in sections] == [
        ("I. Opening", "Opening"),
        ("2. Numbered part", "Numbered part"),
        ("Third, an ordinal part", "An ordinal part"),
        ("2.1) A subsection", "A subsection"),
    ]
    assert text[sections[0].start :].startswith("The first part")
    assert "It goes on." in text[sections[3].start : sections[3].end]


def test_markdown_headings_win_and_text_before_them_is_named_by_its_first_line() -> None:
    text = "Some opening words here.\n\n# First\n\n1. a list item.\n\n## Second ##\nMore.\n"
    sections = find_sections(text, "Doc")
    assert [(s.heading, s.title) for s in sections] == [
        ("Some opening words here.", "Doc"),
        ("First", "First"),
        ("Second", "Second"),
    ]


def test_sentences_split_robustly() -> None:
    text = (
        "# Part\n\n"
        "Dr. Smith measured 4.3 billion cells, e.g. in Fig. 2 of the paper. "
        "J. R. Doe agreed!\nThe result was wrapped over\ntwo lines. Was it right? Yes.\n\n"
        "- A list item without a stop\n"
        "```\nCode. Not prose.\n```\n"
        "| a | table |\n"
    )
    section = find_sections(text)[0]
    assert [s.text for s in find_sentences(text, section)] == [
        "Dr. Smith measured 4.3 billion cells, e.g. in Fig. 2 of the paper.",
        "J. R. Doe agreed!",
        "The result was wrapped over\ntwo lines.",
        "Was it right?",
        "Yes.",
        "A list item without a stop",
    ]
    for sentence in find_sentences(text, section):
        assert text[sentence.start : sentence.end] == sentence.text


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("CAR-T", True),
        ("BCMA", True),
        ("SLAMF7", True),
        ("mRNA", True),
        ("IPv4", True),
        ("IV", False),
        ("CiltaCabtagene", False),
        ("Hello", False),
        ("T", False),
    ],
)
def test_acronyms(word: str, expected: bool) -> None:
    assert is_acronym(word) is expected


def test_long_forms_are_found_before_and_after_the_abbreviation() -> None:
    text = (
        "# Terms\n\n"
        "The World Health Organization (WHO) is an agency of the United Nations. "
        "Doctors measure HbA1c (glycated haemoglobin) every three months. "
        "Deoxyribonucleic acid (DNA) is a molecule that carries genetic instructions.\n"
    )
    asked = {
        q.prompt: q.spec["answers"][0]
        for q in derive(text, "t", "t").questions
        if q.type == "short_answer"
    }
    assert asked["In the section “Terms”, what does WHO stand for?"] == "World Health Organization"
    assert asked["In the section “Terms”, what does DNA stand for?"] == "deoxyribonucleic acid"


def test_a_document_without_headings_is_one_topic() -> None:
    text = (
        "The Krebs cycle (TCA) is a series of reactions in the mitochondria. "
        "The electron transport chain (ETC) is a series of protein complexes. "
        "Glycolysis (GLY) is a pathway that splits glucose in the cytoplasm.\n"
    )
    doc = derive(text, "Metabolism", "metabolism")
    assert [t.title for t in doc.topics] == ["Metabolism"]
    assert len(doc.questions) == 3  # one a sentence
    assert validate_set(doc) == []


def test_lost_text_next_to_a_term_keeps_it_out_of_the_drafts() -> None:
    text = (
        "# Part\n\n"
        "The ABC** protein binds the XYZ receptor in most patients with the disease. "
        "Treatment with the drug DEF lowers the level of GHI in the blood of patients. "
        "Doctors often add the **kinase inhibitor (KI) in most of the patients.\n"
    )
    doc = derive(text, "t", "t")
    asked = {a for q in doc.questions for a in answers(q)}
    offered = {c["text"] for q in doc.questions for c in q.spec.get("choices", [])}
    said = " ".join(q.prompt for q in doc.questions)
    assert not {"ABC", "kinase inhibitor"} & (asked | offered)
    assert "kinase inhibitor" not in said
    assert "KI stands for" not in said
    assert "GHI" in asked  # one draft a sentence: DEF's asks for GHI
    assert "XYZ" not in asked  # after lost text in its sentence: not the document's sentence
    assert validate_set(doc) == []


def test_a_repeated_sentence_is_drafted_once() -> None:
    sentence = "The drug DEF lowers the level of GHI in the blood of most patients."
    doc = derive(f"# Part\n\n{sentence} It works well. {sentence}\n", "t", "t")
    keys = [(q.type, main_answer(q)) for q in doc.questions]
    assert len(keys) == len(set(keys)) == 1


def test_slugify() -> None:
    assert slugify("Chimeric antigen receptor T cell (CAR-T) principle") == (
        "chimeric-antigen-receptor-t-cell-car-t"
    )
    assert slugify("Überblick: 2. Teil!") == "uberblick-2-teil"
    assert slugify("a-" * 60, limit=10) == "a-a-a-a-a"


# ---------------------------------------------------------------- the command


def test_derive_command_writes_a_set_and_its_document(tmp_path: Path) -> None:
    out = tmp_path / "questions" / "car-t-draft.yaml"
    result = CliRunner().invoke(derive_command, [str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert source_path_for(out) == tmp_path / "questions" / "car-t-draft.source.txt"
    assert source_path_for(out).read_bytes() == SEED.read_bytes()
    parsed = check_file(out)
    assert parsed.problems == ()
    assert parsed.doc is not None
    assert parsed.doc.id == "car-t-draft"
    assert parsed.doc.source.file == "car-t-draft.source.txt"
    assert len(parsed.doc.questions) == len(DERIVED["seed"].questions)
    assert f"Drafted {len(parsed.doc.questions)} questions" in result.output


def test_derive_command_options_and_refusals(tmp_path: Path) -> None:
    out = tmp_path / "net.yaml"
    args = [str(SECOND), "-o", str(out), "--title", "Networking", "--id", "net-basics"]
    first = CliRunner().invoke(derive_command, args)
    assert first.exit_code == 0, first.output
    parsed = check_file(out)
    assert parsed.doc is not None
    assert (parsed.doc.id, parsed.doc.title) == ("net-basics", "Networking")

    again = CliRunner().invoke(derive_command, args)
    assert again.exit_code != 0
    assert "pass --force" in again.output

    (tmp_path / "net.source.txt").write_text("another document", encoding="utf-8")
    clash = CliRunner().invoke(derive_command, [*args, "-o", str(tmp_path / "other" / "x.yaml")])
    assert clash.exit_code == 0, clash.output
    out.unlink()
    refused = CliRunner().invoke(derive_command, args)
    assert refused.exit_code != 0
    assert "holds another document" in refused.output
    forced = CliRunner().invoke(derive_command, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert check_file(out).problems == ()


def test_derive_command_default_title_and_empty_document(tmp_path: Path) -> None:
    out = tmp_path / "second.yaml"
    assert CliRunner().invoke(derive_command, [str(SECOND), "-o", str(out)]).exit_code == 0
    parsed = check_file(out)
    assert parsed.doc is not None
    assert parsed.doc.title == "How data crosses the Internet"

    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    result = CliRunner().invoke(derive_command, [str(empty), "-o", str(tmp_path / "e.yaml")])
    assert result.exit_code != 0
    assert "empty" in result.output
    assert not (tmp_path / "e.yaml").exists()


def test_bank_load_accepts_what_derive_wrote(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    for document, name in ((SEED, "car-t-draft.yaml"), (SECOND, "net.yaml")):
        result = CliRunner().invoke(derive_command, [str(document), "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    loaded = runner.invoke(bank_cli, ["load", str(tmp_path)])
    assert loaded.exit_code == 0, loaded.output
    assert "car-t-draft: " in loaded.output
    assert "net: " in loaded.output
