"""Drafting: structure and formatting, key terms, distractors, the question types, ranking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizapp.bank.derive import derive
from quizapp.bank.derive_cli import derive_command
from quizapp.bank.derive_distract import flatten, stated_true
from quizapp.bank.derive_markup import plain_text
from quizapp.bank.derive_sections import find_sections
from quizapp.bank.derive_terms import Term
from quizapp.bank.model import QuestionDoc, SetDoc
from quizapp.bank.validate import check_file, validate_set

DOCUMENTS = Path(__file__).parent / "fixtures" / "documents"
REAL = {
    "pep-0257.rst": "PEP 257: Docstring Conventions",
    "pep-0001.rst": "PEP 1: PEP Purpose and Guidelines",
    "pep-0008.rst": "PEP 8: Style Guide for Python Code",
    "pep-0013.rst": "PEP 13: Python Language Governance",
    "pep-0287.rst": "PEP 287: reStructuredText Docstring Format",
    "pep-0387.rst": "PEP 387: Backwards Compatibility Policy",
    "pep-0394.rst": "PEP 394: The python command on Unix-like systems",
    "pep-0405.rst": "PEP 405: Python Virtual Environments",
    "pep-0602.rst": "PEP 602: Annual Release Cycle for Python",
    "email-validator-readme.md": "email-validator: Validate Email Addresses",
    "python-license.txt": "Python: history and licence",
    "tz-calendars.txt": "Calendrical issues",
    "tz-theory.md": "Theory and pragmatics of the tz code and data",
}
GAP = re.compile(r"\[\[(.+?)\]\]")


def answers(q: QuestionDoc) -> list[str]:
    if q.type == "cloze":
        return [g.split("|")[0] for g in GAP.findall(q.spec["text"])]
    if q.type in ("single_choice", "multiple_response"):
        return [c["text"] for c in q.spec["choices"] if c["correct"]]
    if q.type == "short_answer":
        return list(q.spec["answers"])
    return []


def shown(q: QuestionDoc) -> str:
    return q.prompt + " " + str(q.spec.get("text", ""))


# ---------------------------------------------------------------- structure


def test_underlined_headings_of_markdown_and_restructuredtext() -> None:
    text = (
        "Guide\n=====\n\nIntro text here.\n\n"
        "Install it\n----------\n\nRun the installer now.\n\n"
        "=======\nOverview\n=======\n\nOverlined too.\n\n"
        "Not a heading\n\n---\n\nA rule after a blank line is no underline.\n"
    )
    assert [s.heading for s in find_sections(text)] == ["Guide", "Install it", "Overview"]


def test_indented_and_dotted_numbered_headings() -> None:
    text = "1 Intro\nSome text.\n  2.1 Details of it\nMore text here.\n  3. Last part\nEnd.\n"
    # The text before the first heading is named by its first line.
    headings = [s.heading for s in find_sections(text)]
    assert headings == ["1 Intro", "2.1 Details of it", "3. Last part"]


def test_markdown_formatting_is_blanked_in_place_and_lost_words_stay() -> None:
    text = "Use `pip` and [the docs](https://x.org) with *care* and **bold** words, CAR-T** here."
    plain = plain_text(text)
    assert len(plain) == len(text)
    assert " ".join(plain.split()) == (
        "Use 'pip' and the docs with care and bold words, CAR-T** here."
    )


def test_bold_pairs_are_not_lost_words_but_unpaired_marks_are() -> None:
    text = (
        "# Drugs\n\n"
        "The **main** hepatocyte enzyme clears the drug from the blood within a day.\n"
        "Each hepatocyte holds many copies of the enzyme in its smooth reticulum.\n"
        "The receptor** binds the ligand in most tissue of the adult patients.\n"
    )
    doc = derive(text, "Drugs", "drugs")
    said = [shown(q) for q in doc.questions]
    # Bold is shown as plain words; a quote (which may not hold "**") is the bold-free stretch.
    assert any("The main [[hepatocyte]] enzyme clears" in s for s in said), said
    assert not any("…" in s for s in said if "enzyme clears" in s)
    assert all("**" not in q.source.quote for q in doc.questions)
    assert not any("receptor" in a for q in doc.questions for a in answers(q))  # lost next to it
    assert validate_set(doc) == []


def test_sentences_with_code_and_links_are_drafted_not_dropped() -> None:
    text = (
        "# Parsing\n\n"
        "The `tokenizer` splits the input into tokens before the [parser](https://x.org) "
        "builds the syntax tree.\n"
        "A grammar with ambiguity gives two syntax trees for one input.\n"
        "The parser reports ambiguity as an error with its line.\n"
    )
    doc = derive(text, "Parsing", "parsing")
    quotes = " ".join(q.source.quote for q in doc.questions)
    assert "`tokenizer`" in quotes or "syntax tree" in quotes
    assert not any("tokenizer" in a for q in doc.questions for a in answers(q))  # code
    assert validate_set(doc) == []


# ---------------------------------------------------------------- key terms


def test_no_blank_on_numbers_rfc_keywords_everyday_words_or_the_subject() -> None:
    text = (
        "# Kerberos protocol\n\n"
        "Kerberos clients MUST renew the ticket within 10 hours of the authentication.\n"
        "The ticket granting service issues a ticket for each service the client asks for.\n"
        "Kerberos relies on a trusted third party called the key distribution center (KDC).\n"
        "The KDC stores the secret keys of every principal in its database.\n"
        "How the ticket reaches the client depends on the realm of the principal.\n"
    )
    doc = derive(text, "Kerberos protocol", "kerberos")
    asked = [a for q in doc.questions for a in answers(q)]
    assert asked
    for answer in asked:
        assert not re.fullmatch(r"\d+", answer)
        assert answer not in {"MUST", "How", "The", "Kerberos"}


def test_a_term_in_most_sections_is_the_subject_not_an_answer() -> None:
    doc = derive(
        (Path(__file__).parents[2] / "questions" / "car-t-myeloma.source.txt").read_text(),
        "A review",  # no help from the title
        "review",
    )
    asked = [a.lower() for q in doc.questions if q.type != "short_answer" for a in answers(q)]
    assert "multiple myeloma" not in asked
    assert "car-t" not in asked


# ---------------------------------------------------------------- distractors


def test_a_distractor_the_document_states_as_true_is_refused() -> None:
    flat = flatten("Most CAR-T products target BCMA. Some new products target GPRC5D.")
    assert stated_true(flat, ("target", ""), Term("GPRC5D", "acronym"))
    assert not stated_true(flat, ("target", ""), Term("SLAMF7", "acronym"))


def test_single_choice_distractors_are_of_the_keys_kind_and_false() -> None:
    text = (
        "# Enzymes\n\n"
        "Amylase breaks down starch such as amylose, amylopectin and glycogen.\n"
        "In the mouth the salivary amylase begins the digestion of starch.\n"
        "The pancreatic lipase breaks down fats in the small intestine of mammals.\n"
        "The gastric protease pepsin breaks down proteins in the acid of the stomach.\n"
        "The intestinal lactase breaks down lactose in the small intestine.\n"
    )
    doc = derive(text, "Enzymes", "enzymes")
    for q in doc.questions:
        if q.type == "single_choice":
            wrong = [c["text"] for c in q.spec["choices"] if not c["correct"]]
            assert len(wrong) >= 2
            blank = q.prompt.rsplit("“", 1)[1]
            for option in wrong:
                # The document never says the words around the blank with this option there.
                assert option.lower() not in blank.lower()


# ---------------------------------------------------------------- the types


def test_an_enumeration_gives_a_multiple_response() -> None:
    text = (
        "# Anaemia\n\n"
        "Anaemia causes symptoms such as fatigue, pallor and dyspnoea.\n"
        "Hypercalcaemia causes symptoms such as polyuria and constipation.\n"
        "Severe dyspnoea needs urgent care in the emergency department.\n"
        "Chronic fatigue and polyuria are common in older patients with anaemia.\n"
    )
    doc = derive(text, "Symptoms", "symptoms")
    listed = [q for q in doc.questions if q.type == "multiple_response"]
    assert listed, [q.type for q in doc.questions]
    q = listed[0]
    right = {c["text"] for c in q.spec["choices"] if c["correct"]}
    wrong = {c["text"] for c in q.spec["choices"] if not c["correct"]}
    assert right in ({"fatigue", "pallor", "dyspnoea"}, {"polyuria", "constipation"})
    assert len(wrong) >= 2
    assert not right & wrong
    assert validate_set(doc) == []


def test_a_sequence_gives_an_ordering() -> None:
    text = (
        "# Brewing\n\n"
        "The barley is first malted, then mashed with hot water, then boiled with hops, "
        "and finally fermented with yeast.\n"
    )
    (q,) = [q for q in derive(text, "Beer", "beer").questions if q.type == "ordering"]
    assert q.spec["items"] == [
        "malted",
        "mashed with hot water",
        "boiled with hops",
        "fermented with yeast",
    ]


def test_a_definition_list_gives_a_matching_question() -> None:
    text = (
        "# Glossary\n\n"
        "- Mitosis: division of a cell nucleus into two identical nuclei.\n"
        "- Meiosis: division that halves the number of chromosomes.\n"
        "- Cytokinesis: division of the cytoplasm after the nucleus divides.\n"
    )
    (q,) = [q for q in derive(text, "Cells", "cells").questions if q.type == "matching"]
    assert [p["left"] for p in q.spec["pairs"]] == ["Mitosis", "Meiosis", "Cytokinesis"]
    assert q.spec["pairs"][1]["right"] == "division that halves the number of chromosomes"


def test_abbreviations_and_definitions_give_short_answers() -> None:
    text = (
        "# Imaging\n\n"
        "Magnetic resonance imaging (MRI) shows soft tissue without ionising radiation.\n"
        "A tomogram is a picture of one slice of the body made by a scanner.\n"
        "The tomogram of the chest shows the lungs in one slice of the scanner.\n"
    )
    asked = {
        q.prompt: q.spec["answers"]
        for q in derive(text, "Imaging", "img").questions
        if q.type == "short_answer"
    }
    assert asked["In the section “Imaging”, what does MRI stand for?"] == [
        "magnetic resonance imaging"
    ]
    defined = [p for p in asked if p.startswith("Which term does")]
    assert defined
    assert asked[defined[0]] == ["tomogram"]
    assert "A(n) _____ is a picture" in defined[0]


# ---------------------------------------------------------------- ranking and limit


def test_limit_keeps_the_most_central_drafts() -> None:
    text = (DOCUMENTS / "pep-0257.rst").read_text(encoding="utf-8")
    everything = derive(text, REAL["pep-0257.rst"], "pep")
    first = derive(text, REAL["pep-0257.rst"], "pep", limit=5)
    assert len(everything.questions) > 5
    assert first.questions == everything.questions[:5]
    assert derive(text, "t", "t", limit=0).questions == ()


def test_derive_command_limit(tmp_path: Path) -> None:
    out = tmp_path / "pep.yaml"
    doc = DOCUMENTS / "pep-0257.rst"
    result = CliRunner().invoke(derive_command, [str(doc), "-o", str(out), "--limit", "4"])
    assert result.exit_code == 0, result.output
    parsed = check_file(out)
    assert parsed.doc is not None
    assert len(parsed.doc.questions) == 4


# ---------------------------------------------------------------- real documents


@pytest.fixture(scope="module", params=sorted(REAL))
def real(request: pytest.FixtureRequest) -> SetDoc:
    name = str(request.param)
    return derive((DOCUMENTS / name).read_text(encoding="utf-8"), REAL[name], "real")


def test_real_documents_give_valid_drafts_with_tidy_blanks(real: SetDoc) -> None:
    assert len(real.questions) >= 2
    assert validate_set(real) == []
    for q in real.questions:
        for answer in answers(q):
            assert not re.search(r"[_`*\[\]/@]|://", answer), (q.id, answer)
            assert answer.lower() not in {"must", "may", "not", "the", "docstring"}, q.id


def test_no_draft_leans_on_other_sentences_or_gives_its_answer_away() -> None:
    text = (
        "# Classes\n\n"
        "A subclass may override the method of its superclass in Python.\n"
        "These subclasses inherit every attribute of the superclass by default.\n"
        "A class intended to be subclassed lists its interface for subclasses separately.\n"
        "The superclass keeps its own state unless a subclass replaces it.\n"
    )
    said = [shown(q) for q in derive(text, "Classes", "classes").questions]
    assert said
    assert not any("These" in s for s in said)  # leans on the sentence before
    assert not any("subclassed" in s and "[[subclass" in s for s in said)  # gives it away


def test_references_garbled_code_and_crowded_blanks_give_no_drafts() -> None:
    text = (
        "# Planets\n\n"
        "See: Morrison LV, Stephenson FR. Rotation of the Earth (2021-03-01).\n"
        "Proc Royal Soc A. 2021;477:20200776.\n"
        "Use numeric offsets like `-`0600 instead of zone abbreviations like CST.\n"
        "Mercury turns slowly, so Mercury days on Mercury outlast Mercury years.\n"
        "A sidereal day on Neptune lasts about sixteen hours at its equator.\n"
        "Neptune has the strongest winds measured on any planet of the system.\n"
    )
    said = [shown(q) for q in derive(text, "Planets", "planets").questions]
    assert said
    for s in said:
        assert "Morrison" not in s
        assert "Proc" not in s
        assert "0600" not in s
        assert "Mercury" not in s
