"""Moodle GIFT: every feature read at its line, every problem reported, export and round trips."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from quizapp.bank.model import Problem, QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.formats.categories import category_title
from quizapp.formats.gift import EXPORTER, IMPORTER
from quizapp.formats.gift_text import escape, find_unescaped, unescape
from quizapp.richtext import render_rich
from tests.formats.support import messages, read_fixture, validate_imported

FILE = "every-feature.gift"

# line, id, topic, type, title, prompt, spec, explanation, tags
EVERY_FEATURE: list[tuple[int, str, str, str, str, str, dict[str, Any], str, tuple[str, ...]]] = [
    (
        9,
        "capital-of-france",
        "cells",
        "single_choice",
        "Capital",
        "What is the <b>capital</b> of France?",
        {
            "choices": [
                {"text": "Paris", "correct": True, "feedback": "Right, Paris."},
                {"text": "London", "feedback": "No, that is England's."},
                {"text": "Berlin"},
            ]
        },
        "Paris has been the capital for centuries.",
        ("geography", "easy"),
    ),
    (
        16,
        "q-efd3e4356034",
        "cells",
        "multiple_response",
        "Signs",
        "Which are signs of myeloma?",
        {
            "choices": [
                {"text": "Hypercalcemia", "correct": True, "feedback": "Yes."},
                {"text": "Anemia", "correct": True},
                {"text": "Rash"},
                {"text": "Fever"},
            ]
        },
        "",
        (),
    ),
    (
        23,
        "q-230c6df8ecea",
        "cells",
        "multiple_response",
        "Primes",
        "Which are primes?",
        {
            "choices": [
                {"text": "2", "correct": True, "credit": 0.5},
                {"text": "3", "correct": True, "credit": 0.5},
                {"text": "4", "credit": -1},
                {"text": "9"},
            ]
        },
        "",
        (),
    ),
    (
        25,
        "q-027c3a3316b7",
        "cells",
        "true_false",
        "Sun",
        "The sun is a star.",
        {"answer": True, "feedback_true": "Right.", "feedback_false": "No: it is a star."},
        "",
        (),
    ),
    (27, "q-fb2365c0e339", "cells", "true_false", "Moon", "The moon is a planet.",
     {"answer": False}, "", ()),
    (29, "q-4738ec776dad", "cells", "true_false", "Water", "Water is wet.", {"answer": True}, "",
     ()),
    (31, "q-64a698d2099c", "cells", "true_false", "Ice", "Ice is hot.",
     {"answer": False, "feedback_true": "Ice is cold."}, "", ()),
    (
        33,
        "q-9af9d1231149",
        "cells",
        "short_answer",
        "Target",
        "Which antigen do <em>most</em> products target?",  # [markdown], rendered
        {
            "answers": ["BCMA", "B cell maturation antigen"],
            "partial": [{"text": "CD19", "credit": 0.5, "feedback": "Partly."}],
        },
        "BCMA is the main target.",
        (),
    ),
    (35, "q-af749f89ee10", "cells", "numeric", "Pi", "What is pi to two decimals?",
     {"answer": 3.14, "tolerance": 0.005}, "", ()),
    (37, "q-f39795485327", "cells", "numeric", "Answer", "The answer to everything?",
     {"answer": 42}, "", ()),
    (39, "q-43a59e191ef5", "cells", "numeric", "Dice", "Name a number a die can show.",
     {"range": [1, 6]}, "", ()),
    (41, "q-2e9601a75792", "cells", "numeric", "Square", "How many sides has a square?",
     {"answer": 4, "tolerance": 0, "partial": [{"answer": 4, "tolerance": 1, "credit": 0.5}]},
     "", ()),
    (
        46,
        "q-a1c7d3b5d479",
        "cells",
        "matching",
        "Abbreviations",
        "Match each abbreviation.",
        {
            "pairs": [
                {"left": "MM", "right": "Multiple myeloma"},
                {"left": "CAR", "right": "Chimeric antigen receptor"},
            ],
            "distractors": ["Bone cell marrow antibody"],
        },
        "",
        (),
    ),
    (52, "q-713cc91c7cb8", "cells", "cloze", "Grant", "",
     {"text": "Grant is buried in [[Grant's tomb|Grant]] in New York."}, "", ()),
    (
        54,
        "q-62ca3c96ca0d",
        "cells",
        "single_choice",
        "",
        "Gandhi's birthday is a holiday on _____ of October.",
        {"choices": [{"text": "15th"}, {"text": "3rd"}, {"text": "2nd", "correct": True}]},
        "",
        (),
    ),
    (
        58,
        "q-3c4b138ae41e",
        "escapes-and-formats",
        "short_answer",
        "Escapes : all of them",
        "Braces { }, a tilde ~, an equals =, a hash #, a backslash \\ and\na new line.",
        {"answers": ["a=b"]},
        "",
        (),
    ),
    (
        60,
        "q-52e79b6c6d7d",
        "escapes-and-formats",
        "short_answer",
        "Multi-line",
        "This question\nruns over // not a comment here\nthree lines.",
        {"answers": ["yes"]},
        "",
        ("inside",),
    ),
    (
        68,
        "q-7673a4ed754c",
        "escapes-and-formats",
        "true_false",
        "Script",
        "Is <script>alert(1)</script> kept as text?",
        {"answer": True},
        "It is kept; the web layer sanitises it.",
        ("moodle",),
    ),
    (74, "q-b8b9d798b2bb", "escapes-and-formats", "numeric", "TeX",
     "What is \\(x^2\\) at x = 3?", {"answer": 9}, "", ()),
]  # fmt: skip


@pytest.fixture(scope="module")
def every_feature() -> SetDoc:
    result = read_fixture("gift", FILE)
    assert result.doc is not None
    return result.doc


def test_every_feature_file_gives_its_topics(every_feature: SetDoc) -> None:
    assert every_feature.topics == (
        TopicDoc("cells", "Biology / Cells"),
        TopicDoc("escapes-and-formats", "Escapes and formats"),
    )
    assert [t.line for t in every_feature.topics] == [5, 56]
    assert (every_feature.id, every_feature.title, every_feature.version) == (
        "every-feature",
        "every-feature",
        "1",
    )


def test_every_feature_file_gives_every_question_in_order(every_feature: SetDoc) -> None:
    assert [q.line for q in every_feature.questions] == [row[0] for row in EVERY_FEATURE]


@pytest.mark.parametrize("row", EVERY_FEATURE, ids=[f"line-{row[0]}" for row in EVERY_FEATURE])
def test_every_feature_question(every_feature: SetDoc, row: tuple[Any, ...]) -> None:
    line, qid, topic, qtype, title, prompt, spec, explanation, tags = row
    question = next(q for q in every_feature.questions if q.line == line)
    assert question == QuestionDoc(
        id=qid,
        topic=topic,
        type=qtype,
        prompt=prompt,
        spec=spec,
        explanation=explanation,
        source=SourceRef("", ""),
        title=title,
        tags=tags,
    )


def test_every_feature_leaves_out_essays_and_descriptions_by_name_and_line() -> None:
    result = read_fixture("gift", FILE)
    assert result.problems == ()
    assert messages(result.left_out) == [
        "every-feature.gift:70: essay questions are not supported: 'Essay'",
        "every-feature.gift:72: description items are not supported: 'Intro'",
    ]


def test_every_feature_warns_of_what_it_changes() -> None:
    result = read_fixture("gift", FILE)
    assert messages(result.warnings) == [
        "every-feature.gift:42: the feedback of the right numeric answer is dropped: 'Square'",
        "every-feature.gift:74: unknown escape '\\(' is kept as written "
        "(write '\\\\' for a backslash)",
        "every-feature.gift:74: unknown escape '\\)' is kept as written "
        "(write '\\\\' for a backslash)",
    ]


def test_every_feature_passes_the_validator_but_for_the_missing_document(
    every_feature: SetDoc,
) -> None:
    assert validate_imported(every_feature) == []


def test_every_feature_choice_lines_point_at_their_answers(every_feature: SetDoc) -> None:
    capital = every_feature.questions[0]
    assert [capital.line_of(("choices", i)) for i in range(3)] == [10, 11, 12]


BROKEN = [
    "broken.gift:1: unclosed brace: '{' without '}'",
    "broken.gift:3: no correct answer: no answer has a weight above 0: 'No right'",
    "broken.gift:5: bad weight '%abc%': write a percentage such as %50% or %-25%: 'Bad weight'",
    "broken.gift:7: bad number 'three': 'Bad number'",
    "broken.gift:9: '}' without '{' (write \\} for a brace in the text)",
    "broken.gift:11: a second answer block: separate questions with a blank line, "
    "and write \\{ and \\} for braces in the text",
    "broken.gift:13: 2 answers are fully right (=), but a single-choice question has exactly "
    "one: use ~ with weights such as ~%50% for several right answers: 'Two right'",
    "broken.gift:15: bad weight '%150%': weights go from -100 to 100: 'Weight range'",
    "broken.gift:17: 'b 2' has no '->' to its partner: 'No arrow'",
    "broken.gift:19: the title is not closed: '::' without '::' after it",
    "broken.gift:21: range 5..1 starts above its end: 'Range'",
    "broken.gift:23: no correct answer: 'Short none'",
    "broken.gift:25: bad weight: '%' opens a weight that is not closed by '%': 'Open weight'",
    "broken.gift:27: '{' inside an answer block (write \\{ for a brace)",
    "broken.gift:29: tolerance -1 must be 0 or more: 'Negative tolerance'",
]


def test_broken_file_leaves_out_every_broken_question_with_its_line() -> None:
    result = read_fixture("gift", "broken.gift")
    assert messages(result.left_out) == BROKEN


def test_a_category_naming_nothing_is_a_problem_of_the_file() -> None:
    result = read_fixture("gift", "broken.gift")
    assert messages(result.problems) == ["broken.gift:31: $CATEGORY: names no category"]


def test_broken_file_still_imports_what_is_right() -> None:
    result = read_fixture("gift", "broken.gift")
    assert result.doc is not None
    assert [(q.line, q.title, q.prompt) for q in result.doc.questions] == [
        (33, "Valid", "Still imported, with an unknown escape \\q.")
    ]
    assert not result.ok


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("::A:: what {=x", "t.gift:1: unclosed brace: '{' without '}'"),
        ("::A:: what\n{\n=x\n\n}", "t.gift:2: unclosed brace: '{' without '}'"),
        ("just text", "t.gift:1: description items are not supported: 'just text'"),
        ("::A:: what {~x ~y}", "t.gift:1: no correct answer: no answer has a weight above 0: 'A'"),
        ("::A:: what {~%1e3%x =y}", "t.gift:1: bad weight '%1e3%': write a percentage such as "
         "%50% or %-25%: 'A'"),
        ("::A:: what {#1:x}", "t.gift:1: bad number 'x': 'A'"),
        ("::A:: what {#..}", "t.gift:1: bad number '': 'A'"),
        ("::A:: what {=}", "t.gift:1: an answer is empty: 'A'"),
        ("::A:: what {=a ~}", "t.gift:1: an answer is empty: 'A'"),
        ("::A:: what {x ~y =z}", "t.gift:1: text before the first answer: start it with = or ~: "
         "'A'"),
        ("::A:: what {=a ->}", "t.gift:1: 'a' has nothing after '->': 'A'"),
        ("::A:: what {=a -> 1 =b -> 2}\n::B:: {=x}",
         "t.gift:2: a second answer block: separate questions with a blank line, and write \\{ "
         "and \\} for braces in the text"),
        ("::A:: it says [[x]] {=a|b} here", "t.gift:1: answer 'a|b' of a missing-word question "
         "cannot contain '|', '[[' or ']]': 'it says [[x]] here'"),
    ],
)  # fmt: skip
def test_each_mistake_is_reported_at_its_line(text: str, problem: str) -> None:
    result = IMPORTER.read(text.encode(), "t.gift")
    assert problem in messages(result.left_out)
    assert result.problems == ()
    assert result.doc is not None
    assert result.doc.questions == ()


def test_a_broken_question_is_left_out_and_the_others_imported() -> None:
    text = "::A:: first {=a ~b}\n\n::B:: broken {~x ~y}\n\n::C:: third {T}\n"
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.problems == ()
    assert messages(result.left_out) == [
        "t.gift:3: no correct answer: no answer has a weight above 0: 'B'"
    ]
    assert result.doc is not None
    assert [(q.line, q.title) for q in result.doc.questions] == [(1, "A"), (5, "C")]
    assert not result.ok
    assert result.ok_without_left_out


def test_a_file_of_left_out_questions_only_is_not_also_empty() -> None:
    result = IMPORTER.read(b"::E:: essay {}\n", "t.gift")
    assert result.problems == ()
    assert messages(result.left_out) == ["t.gift:1: essay questions are not supported: 'E'"]
    assert result.doc is not None
    assert not result.ok_without_left_out


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("Q {T}", {"answer": True}),
        ("Q {t}", {"answer": True}),
        ("Q {F#wrong}", {"answer": False, "feedback_true": "wrong"}),
        ("Q {FALSE##right}", {"answer": False, "feedback_false": "right"}),
        ("Q {Paris}", {"answers": ["Paris"]}),
        ("Q {=Paris#fb}", {"answers": ["Paris"]}),
        ("Q {#-2.5e1}", {"answer": -25.0}),
        ("Q {#-5..-1}", {"range": [-5, -1]}),
        ("Q {#=1:0 =%100%2:0}", {"answer": 1, "tolerance": 0}),
        ("Q {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}", None),
        ("Q {=%100%%50% off ~%0%%10% off}", None),
    ],
)
def test_answer_forms(text: str, spec: dict[str, Any] | None) -> None:
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.doc is not None
    assert not result.problems
    question = result.doc.questions[0]
    if spec is not None:
        assert dict(question.spec) == spec


def test_weights_written_as_100_over_n_are_exact() -> None:
    text = "Q {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-33.33333%d}"
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.warnings == ()
    assert result.doc is not None
    assert [c.get("correct", False) for c in result.doc.questions[0].spec["choices"]] == [
        True,
        True,
        True,
        False,
    ]


def test_a_weight_prefix_keeps_a_percent_sign_in_the_text() -> None:
    result = IMPORTER.read(b"Q {=%100%%50% off ~%0%%10% off}", "t.gift")
    assert result.doc is not None
    assert result.doc.questions[0].spec == {
        "choices": [{"text": "%50% off", "correct": True}, {"text": "%10% off"}]
    }


def test_a_single_choice_negative_weight_is_warned() -> None:
    result = IMPORTER.read(b"::Q:: Pick {=a ~%50%b ~%-50%c}", "t.gift")
    assert result.doc is not None
    assert result.doc.questions[0].spec == {
        "choices": [{"text": "a", "correct": True}, {"text": "b", "credit": 0.5}, {"text": "c"}]
    }
    assert messages(result.warnings) == [
        "t.gift:1: answer 'c' has weight -50%, but a single-choice question takes nothing away "
        "for a wrong answer: it is simply wrong: 'Q'"
    ]


def test_short_answer_feedback_and_wildcards_are_warned() -> None:
    result = IMPORTER.read(b"::Q:: Name {=a*b#nice =%0%c#no}", "t.gift")
    assert messages(result.warnings) == [
        "t.gift:1: the feedback of answer 'a*b' is dropped: right typed answers have no "
        "feedback of their own in the app: 'Q'",
        "t.gift:1: answer 'a*b' has a '*' wildcard the app cannot express: it is kept as "
        "written: 'Q'",
        "t.gift:1: answer 'c' has weight 0%; the app has no wrong answers with feedback for "
        "typed answers: dropped: 'Q'",
    ]


def test_ids_and_tags_come_from_comments_and_ids_are_cleaned() -> None:
    text = "// [id:Week 1/Q.7] [tag:one]\n// [tag:two] [tag:one]\n::T:: Q {T}"
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.doc is not None
    question = result.doc.questions[0]
    assert (question.id, question.tags) == ("week-1-q.7", ("one", "two"))


def test_a_question_without_an_id_keeps_its_id_when_answers_change() -> None:
    first = IMPORTER.read(b"::T:: Capital? {=Paris ~Rome}", "t.gift").doc
    second = IMPORTER.read(
        b"// moved and reworded answers\n::T:: Capital? {=Lyon ~Rome ~Nice}", "t.gift"
    ).doc
    assert first is not None
    assert second is not None
    # sha256("T\nCapital?"): the title and the prompt, not the answers
    assert first.questions[0].id == second.questions[0].id == "q-19664f6751ea"


def test_identical_questions_get_distinct_ids() -> None:
    doc = IMPORTER.read(b"Q {T}\n\nQ {T}\n\nQ {T}", "t.gift").doc
    assert doc is not None
    base = doc.questions[0].id
    assert [q.id for q in doc.questions] == [base, f"{base}-2", f"{base}-3"]


def test_a_repeated_own_id_is_left_for_the_validator_to_report() -> None:
    doc = IMPORTER.read(b"// [id:x]\nA {T}\n\n// [id:x]\nB {F}", "t.gift").doc
    assert doc is not None
    assert [q.id for q in doc.questions] == ["x", "x"]
    assert "t.gift:5: question id 'x' is used twice (first on line 2)" in messages(
        validate_imported(doc)
    )


def test_questions_before_any_category_go_to_general() -> None:
    doc = IMPORTER.read(b"A {T}\n\n$CATEGORY: Later\n\nB {F}", "t.gift", set_id="mine").doc
    assert doc is not None
    assert doc.id == "mine"
    assert [(t.id, t.title) for t in doc.topics] == [("general", "General"), ("later", "Later")]
    assert [q.topic for q in doc.questions] == ["general", "later"]


def test_a_category_line_may_head_its_first_question() -> None:
    doc = IMPORTER.read(b"$CATEGORY: Only\n// [id:q1]\nA {T}", "t.gift").doc
    assert doc is not None
    assert [(q.id, q.topic) for q in doc.questions] == [("q1", "only")]


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("$course$/top/Default for Bio/Cells", "Default for Bio / Cells"),
        ("$system$/Shared", "Shared"),
        ("top/A", "A"),
        ("Plain", "Plain"),
        ("A//B/C", "A/B / C"),
        ("  spaced  /  out ", "spaced / out"),
        ("$course$/", ""),
        ("$course$/top/Iota/Kappa/Lambda", "Iota / Kappa / Lambda"),
        ("$module$/top/Iota", "Iota"),
        ("$quiz$/top/Iota", "Iota"),
        ("Bio/$course$/Cells", "Bio / $course$ / Cells"),  # a marker only counts first
    ],
)
def test_category_paths_become_one_title(path: str, title: str) -> None:
    assert category_title(path) == title


def test_a_nested_category_is_titled_by_its_whole_path() -> None:
    text = (
        "$CATEGORY: $course$/top/Iota/Kappa/Lambda\n\nA {T}\n\n"
        "$CATEGORY: Bio/Cells\n\nB {T}\n\n"
        "$CATEGORY: $system$/top/Bio/Cells\n\nC {T}\n\n"
        "$CATEGORY: Input//Output\n\nD {T}\n"
    )
    doc = IMPORTER.read(text.encode(), "t.gift").doc
    assert doc is not None
    assert [(t.id, t.title) for t in doc.topics] == [
        ("iota-kappa-lambda", "Iota / Kappa / Lambda"),
        ("bio-cells", "Bio / Cells"),  # with or without a context: the same topic
        ("input-output", "Input/Output"),
    ]
    assert [q.topic for q in doc.questions] == [
        "iota-kappa-lambda",
        "bio-cells",
        "bio-cells",
        "input-output",
    ]


def test_categories_ending_alike_under_other_parents_stay_two_topics() -> None:
    text = "$CATEGORY: Bio/Cells\n\nA {T}\n\n$CATEGORY: Chem/Cells\n\nB {T}\n"
    doc = IMPORTER.read(text.encode(), "t.gift").doc
    assert doc is not None
    assert [(t.id, t.title) for t in doc.topics] == [
        ("bio-cells", "Bio / Cells"),
        ("chem-cells", "Chem / Cells"),
    ]
    assert [q.topic for q in doc.questions] == ["bio-cells", "chem-cells"]


def test_nested_topics_are_written_as_category_paths_and_read_back() -> None:
    doc = dataclasses.replace(
        _set(
            _question("true_false", {"answer": True}, id="q1"),
            _question("true_false", {"answer": False}, id="q2", topic="t2"),
        ),
        topics=(TopicDoc("t1", "Iota / Kappa / Lambda"), TopicDoc("t2", "Input/Output / Disks")),
    )
    text = EXPORTER.write(doc).decode()
    assert "// [id:t1]\n$CATEGORY: $course$/top/Iota/Kappa/Lambda\n" in text
    assert "// [id:t2]\n$CATEGORY: $course$/top/Input//Output/Disks\n" in text
    back = IMPORTER.read(text.encode(), "s.gift").doc
    assert back is not None
    assert [(t.id, t.title) for t in back.topics] == [(t.id, t.title) for t in doc.topics]
    assert [(q.id, q.topic) for q in back.questions] == [("q1", "t1"), ("q2", "t2")]


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("a\\~b", "a~b"),
        ("\\=\\#\\{\\}\\:", "=#{}:"),
        ("back\\\\slash", "back\\slash"),
        ("line\\nbreak", "line\nbreak"),
        ("keep \\q and \\(x\\)", "keep \\q and \\(x\\)"),
        ("trailing\\", "trailing\\"),
    ],
)
def test_unescape(written: str, text: str) -> None:
    assert unescape(written) == text


@pytest.mark.parametrize(
    "text", ["a~b=c#d{e}f:g", "back\\slash \\n", "two\nlines\r\nthree", "::x::", "plain"]
)
def test_escape_is_undone_by_unescape(text: str) -> None:
    assert unescape(escape(text)) == text.replace("\r\n", "\n")


def test_find_unescaped_skips_escaped_marks() -> None:
    assert find_unescaped("a\\{b{c", "{") == 4
    assert find_unescaped("a\\\\{b", "{") == 3
    assert find_unescaped("a\\####", "####") == -1
    assert find_unescaped("abc", "{") == -1


def _set(*questions: QuestionDoc) -> SetDoc:
    return SetDoc(
        id="s",
        title="S",
        description="",
        version="1",
        source=SourceDoc("", ""),
        topics=(TopicDoc("t1", "A/B"),),
        questions=questions,
        file="s.yaml",
    )


def _question(qtype: str, spec: dict[str, Any], **fields: Any) -> QuestionDoc:
    values: dict[str, Any] = {
        "id": "q",
        "topic": "t1",
        "type": qtype,
        "prompt": "P",
        "spec": spec,
        "explanation": "",
        "source": SourceRef("", ""),
    }
    return QuestionDoc(**(values | fields))


def test_export_writes_categories_ids_tags_and_general_feedback() -> None:
    doc = _set(
        _question(
            "true_false",
            {"answer": True, "feedback_true": "Yes", "feedback_false": "No"},
            title="T: 1",
            tags=("a", "b"),
            explanation="Because {so}.",
        )
    )
    assert EXPORTER.write(doc).decode() == (
        "// [id:t1]\n$CATEGORY: $course$/top/A//B\n\n"
        "// [id:q]\n// [tag:a] [tag:b]\n::T\\: 1::P {\nTRUE#No#Yes\n####Because \\{so\\}.\n}\n"
    )


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (_question("cloze", {"text": "[[a]] and [[b]]"}),
         "s.yaml:0: question 'q' is left out: it has 2 gaps and a GIFT missing-word question "
         "has one"),
        (_question("matching", {"pairs": [{"left": "a->b", "right": "c"},
                                          {"left": "d", "right": "e"}]}),
         "s.yaml:0: question 'q' is left out: a left-hand item contains '->', which GIFT cannot "
         "write"),
    ],
)  # fmt: skip
def test_export_names_what_it_leaves_out(question: QuestionDoc, message: str) -> None:
    result = EXPORTER.export(_set(question))
    assert messages(result.skipped) == [message]
    assert "$CATEGORY" not in result.data.decode()


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (_question("numeric", {"answer": 73, "unit": "%"}),
         "question 'q': GIFT has no units: '%' is left out"),
        (_question("numeric", {"answer": 73, "range": [70, 75]}),
         "question 'q': GIFT has an answer or a range: the range is written"),
        (_question("short_answer", {"answers": ["a"], "match": {"case": True}}),
         "question 'q': GIFT has no match settings: the defaults will apply"),
        (_question("multiple_response", {"choices": [{"text": "a", "correct": True},
                                                     {"text": "b"}],
                                         "scoring": "all_or_nothing"}),
         "question 'q': GIFT has no all-or-nothing scoring: written with partial credit"),
        (_question("cloze", {"text": "ends with a [[gap]]"}),
         "question 'q': its gap ends the text, so GIFT reads it back as a short answer"),
        (_question("true_false", {"answer": True}, tags=("odd]tag",)),
         "question 'q': tag 'odd]tag' cannot be written in a GIFT comment"),
    ],
)  # fmt: skip
def test_export_warns_of_what_it_changes(question: QuestionDoc, message: str) -> None:
    result = EXPORTER.export(_set(question))
    assert messages(result.warnings) == [f"s.yaml:0: {message}"]
    assert result.skipped == ()


@pytest.mark.parametrize(
    "question",
    [
        _question("short_answer", {"answers": ["a"]}, prompt="// looks like a comment"),
        _question("single_choice", {"choices": [{"text": "%5 off", "correct": True},
                                                {"text": "[html]<b>x</b>"}]},
                  prompt="[markdown] stays"),
        _question("cloze", {"text": "A [[b|c]] d"}, prompt="Fill in:", title="::odd::"),
        _question("short_answer", {"answers": ["T"]}),
        _question("true_false", {"answer": False, "feedback_false": "Right"},
                  explanation="Two\n\nparagraphs"),
    ],
)  # fmt: skip
def test_export_keeps_awkward_texts_as_text(question: QuestionDoc) -> None:
    data = EXPORTER.write(_set(question))
    back = IMPORTER.read(data, "back.gift")
    assert back.problems == ()
    assert back.doc is not None
    (read,) = back.doc.questions
    if question.type == "cloze":
        assert read.spec == {"text": "Fill in:\nA [[b|c]] d"}
        assert (read.prompt, read.title) == ("", "::odd::")
    else:
        assert read == question


def test_export_of_nothing_is_empty() -> None:
    assert EXPORTER.export(_set()).data == b""


def test_export_problems_have_the_file_of_the_set() -> None:
    result = EXPORTER.export(_set(_question("cloze", {"text": "[[a]] and [[b]]"})))
    assert result.skipped == (
        Problem(
            "s.yaml",
            0,
            "question 'q' is left out: it has 2 gaps and a GIFT missing-word question has one",
        ),
    )


def test_ordering_is_written_as_qtype_ordering_writes_it_and_read_back() -> None:
    items = ["Extracted", "Engineered {CAR}", "Amplified", "Infused"]
    for scoring, grading in (
        ("partial", "LONGEST_ORDERED_SUBSET"),
        ("all_or_nothing", "ALL_OR_NOTHING"),
    ):
        spec = {"items": items} | ({"scoring": scoring} if scoring != "partial" else {})
        data = EXPORTER.write(_set(_question("ordering", spec))).decode()
        assert f"{{\n>4 ALL VERTICAL {grading}\nExtracted\nEngineered \\{{CAR\\}}\n" in data
        back = IMPORTER.read(data.encode(), "again.gift")
        assert back.doc is not None
        assert dict(back.doc.questions[0].spec) == spec


# --- Moodle's own forms: a numeric catch-all, and qtype_ordering's GIFT ------------------------


def test_a_numeric_catch_all_is_read_and_its_feedback_kept() -> None:
    # From Moodle's qformat_gift tests (test_import_numerical).
    text = "// math range question\n::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}"
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.problems == ()
    assert result.left_out == ()
    assert result.doc is not None
    question = result.doc.questions[0]
    assert (question.type, question.prompt) == ("numeric", "What is a number from 1 to 5?")
    assert dict(question.spec) == {"answer": 3, "tolerance": 2, "otherwise": "Completely wrong"}
    assert result.warnings == ()
    assert validate_imported(result.doc) == []


def test_a_numeric_catch_all_without_feedback_is_nothing_to_warn_about() -> None:
    result = IMPORTER.read(b"::N:: Two? {#\n=2\n~\n}", "t.gift")
    assert result.doc is not None
    assert dict(result.doc.questions[0].spec) == {"answer": 2}
    assert result.warnings == ()


def test_a_partial_numeric_answer_is_kept_with_its_credit_and_a_wrong_one_dropped() -> None:
    text = "::N:: Three?\n{#\n=3:2#right\n~%50%5:1#close\n=%0%9#far\n}"
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.doc is not None
    assert dict(result.doc.questions[0].spec) == {
        "answer": 3,
        "tolerance": 2,
        "partial": [{"answer": 5, "tolerance": 1, "credit": 0.5, "feedback": "close"}],
    }
    assert messages(result.warnings) == [
        "t.gift:3: the feedback of the right numeric answer is dropped: 'N'",
        "t.gift:5: answer '9' has weight 0%; the app has no wrong numbers with feedback, only "
        "partly right ones: dropped: 'N'",
    ]


# As qtype_ordering's export_to_gift writes it: the header, then one item a line.
ORDERING = """// question: 12  name: Planets
::Planets::[moodle]Put the planets in order from the Sun{>4 ALL VERTICAL ALL_OR_NOTHING SHOW none
Mercury
Venus
Earth
Mars
}
"""


def test_an_ordering_question_as_moodle_exports_it() -> None:
    result = IMPORTER.read(ORDERING.encode(), "t.gift")
    assert (result.problems, result.left_out, result.warnings) == ((), (), ())
    assert result.doc is not None
    question = result.doc.questions[0]
    assert (question.type, question.title, question.prompt) == (
        "ordering",
        "Planets",
        "Put the planets in order from the Sun",
    )
    assert dict(question.spec) == {
        "items": ["Mercury", "Venus", "Earth", "Mars"],
        "scoring": "all_or_nothing",
    }
    assert question.locations[("items", 0)] == 3
    assert question.locations[("items", 3)] == 6
    assert validate_imported(result.doc) == []


@pytest.mark.parametrize(
    ("header", "scoring", "warnings"),
    [
        (">2 none", "partial",
         ["t.gift:1: Moodle shows 2 of the 3 items; the app shows them all: 'O'"]),
        (">3", "partial", []),
        (">2 ALL", "partial", []),
        (">3 RANDOM HORIZONTAL LONGEST_ORDERED_SUBSET HIDE 123", "partial", []),
        (">3 CONTIGUOUS  RELATIVE_TO_CORRECT SHOW abc", "partial",
         ["t.gift:1: grading type RELATIVE_TO_CORRECT is not kept: the app gives partial credit "
          "for the longest run of items in the right order: 'O'"]),
        (">9 EXACT H ALL_OR_NOTHING", "all_or_nothing", []),
    ],
)  # fmt: skip
def test_ordering_headers(header: str, scoring: str, warnings: list[str]) -> None:
    result = IMPORTER.read(f"::O:: Order them {{{header}\nOne\nTwo\nThree\n}}".encode(), "t.gift")
    assert result.left_out == ()
    assert result.doc is not None
    spec: dict[str, object] = {"items": ["One", "Two", "Three"]}
    if scoring != "partial":  # the default is not written
        spec["scoring"] = scoring
    assert dict(result.doc.questions[0].spec) == spec
    assert messages(result.warnings) == warnings


def test_ordering_items_keep_their_escapes_comments_and_header_text_as_moodle_reads_them() -> None:
    text = "::O:: Order {>2 ALL First\n// a comment\n  Second \\= 2  \n\\{Third\\}\n####Why.}"
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.doc is not None
    question = result.doc.questions[0]
    assert question.spec["items"] == ["First", "Second = 2", "{Third}"]
    assert question.explanation == "Why."
    assert [question.locations[("items", i)] for i in range(3)] == [1, 3, 4]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("::O:: Order {>\nA\nB\n}", "t.gift:1: an ordering block starts with '>' and the number "
         "of items shown, then one item a line, in the right order, such as {>3 ALL ...}: 'O'"),
        ("::O:: Order {>all\nA\nB\n}", "t.gift:1: an ordering block starts with '>' and the "
         "number of items shown, then one item a line, in the right order, such as "
         "{>3 ALL ...}: 'O'"),
        ("::O:: Order {>2 ALL\nA\n}", "t.gift:1: an ordering question needs at least 2 items, "
         "one a line: 'O'"),
        ("::O:: Order {>2\nA\nB\n  a \n}", "t.gift:4: item 'a' is written twice: the app tells "
         "the items apart by text: 'O'"),
    ],
)  # fmt: skip
def test_an_ordering_block_that_cannot_be_read_is_left_out_with_its_reason(
    text: str, reason: str
) -> None:
    result = IMPORTER.read(text.encode(), "t.gift")
    assert messages(result.left_out) == [reason]
    assert result.doc is not None
    assert result.doc.questions == ()


# --- text formats: [plain] shows as written, [markdown] is rendered ----------------------------


def test_plain_text_shows_exactly_as_written() -> None:
    text = '::P:: [plain]<html class="cool"> & images {=a ~[html]<b>b</b> ~c#<i>no</i>}'
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.doc is not None
    question = result.doc.questions[0]
    assert question.prompt == '<span>&lt;html class="cool"&gt; &amp; images</span>'
    assert render_rich(question.prompt, str) == '&lt;html class="cool"&gt; &amp; images'
    # As in Moodle, an answer without a format of its own is in the question text's format.
    assert question.spec["choices"] == [
        {"text": "a", "correct": True},
        {"text": "<b>b</b>"},
        {"text": "c", "feedback": "<span>&lt;i&gt;no&lt;/i&gt;</span>"},
    ]


def test_markdown_text_is_rendered_and_goes_through_the_cleaner() -> None:
    text = (
        "::M:: [markdown]Is **this** *right*? <script>x</script>\n"
        "{T#[plain]2 < 3#Yes, **it is**.####See [the docs](https://moodle.org).}"
    )
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.doc is not None
    question = result.doc.questions[0]
    assert question.prompt == (
        "Is <strong>this</strong> <em>right</em>? &lt;script&gt;x&lt;/script&gt;"
    )
    assert dict(question.spec) == {
        "answer": True,
        "feedback_true": "Yes, <strong>it is</strong>.",
        "feedback_false": "2 < 3",
    }
    assert question.explanation == 'See <a href="https://moodle.org">the docs</a>.'
    assert render_rich(question.explanation, str) == (
        'See <a href="https://moodle.org" rel="noopener noreferrer">the docs</a>.'
    )
    assert validate_imported(result.doc) == []


def test_markdown_of_several_paragraphs_and_a_blank_in_the_text() -> None:
    result = IMPORTER.read(b"[markdown]First *one*.\\n\\nThe {=a ~b} is *it*", "t.gift")
    assert result.doc is not None
    assert result.doc.questions[0].prompt == (
        "<p>First <em>one</em>.</p>\n<p>The _____ is <em>it</em></p>"
    )


def test_a_formatted_missing_word_short_answer_is_kept_as_written_and_warned() -> None:
    result = IMPORTER.read(b"::C:: [markdown]The {=a} is *it*", "t.gift")
    assert result.doc is not None
    assert dict(result.doc.questions[0].spec) == {"text": "The [[a]] is *it*"}
    assert messages(result.warnings) == [
        "t.gift:1: the [markdown] text of a missing-word question is kept as written: 'The is *it*'"
    ]


def test_the_id_is_made_from_the_text_as_written_not_as_formatted() -> None:
    plain = IMPORTER.read(b"::T:: Is **it** {T}", "t.gift").doc
    rendered = IMPORTER.read(b"::T:: [markdown]Is **it** {T}", "t.gift").doc
    assert plain is not None
    assert rendered is not None
    assert plain.questions[0].id == rendered.questions[0].id


# --- Partial credit: GIFT's weights kept as credits, and written back -------------------------

PARTIAL_CREDIT = """::Single:: Capital? {~%50%Lyon#Close. =Paris ~Nice}

::Multiple:: Primes? {~%70%2 ~%30%3 ~%-50%4#2 x 2. ~9}

::Short:: Powerhouse? {
=mitochondria
=%25%chloroplast#Plants.
=%0%*#Think of energy.
}

::Number:: Days? {#
=10:1
=%50%12:1#Close.
=%25%20..30
~#About ten.
}
"""
PARTIAL_SPECS: list[tuple[str, dict[str, Any]]] = [
    (
        "single_choice",
        {
            "choices": [
                {"text": "Lyon", "credit": 0.5, "feedback": "Close."},
                {"text": "Paris", "correct": True},
                {"text": "Nice"},
            ]
        },
    ),
    (
        "multiple_response",
        {
            "choices": [
                {"text": "2", "correct": True, "credit": 0.7},
                {"text": "3", "correct": True, "credit": 0.3},
                {"text": "4", "credit": -0.5, "feedback": "2 x 2."},
                {"text": "9"},
            ]
        },
    ),
    (
        "short_answer",
        {
            "answers": ["mitochondria"],
            "partial": [{"text": "chloroplast", "credit": 0.25, "feedback": "Plants."}],
            "otherwise": "Think of energy.",
        },
    ),
    (
        "numeric",
        {
            "answer": 10,
            "tolerance": 1,
            "partial": [
                {"answer": 12, "tolerance": 1, "credit": 0.5, "feedback": "Close."},
                {"range": [20, 30], "credit": 0.25},
            ],
            "otherwise": "About ten.",
        },
    ),
]


def test_partial_credit_is_read_as_credits() -> None:
    result = IMPORTER.read(PARTIAL_CREDIT.encode(), "t.gift")
    assert (result.problems, result.left_out, result.warnings) == ((), (), ())
    assert result.doc is not None
    assert [(q.type, dict(q.spec)) for q in result.doc.questions] == PARTIAL_SPECS
    assert validate_imported(result.doc) == []


def test_partial_credit_is_written_as_gift_weights() -> None:
    doc = IMPORTER.read(PARTIAL_CREDIT.encode(), "t.gift").doc
    assert doc is not None
    result = EXPORTER.export(doc)
    assert (result.skipped, result.warnings) == ((), ())
    blocks = result.data.decode().split("\n\n")[1:]
    assert [block.split("\n", 1)[1] for block in blocks] == [
        "::Single::Capital? {\n~%50%Lyon#Close.\n=Paris\n~Nice\n}",
        "::Multiple::Primes? {\n~%70%2\n~%30%3\n~%-50%4#2 x 2.\n~9\n}",
        "::Short::Powerhouse? {\n=mitochondria\n=%25%chloroplast#Plants.\n"
        "=%0%*#Think of energy.\n}",
        "::Number::Days? {\n#\n=10:1\n=%50%12:1#Close.\n=%25%20..30\n~#About ten.\n}\n",
    ]
    back = IMPORTER.read(result.data, "back.gift").doc
    assert back is not None
    assert back.questions == doc.questions


@pytest.mark.parametrize(
    ("text", "spec", "warning"),
    [
        # Weights of the right answers not adding up to 100%: each is its share of them.
        ("Q {~%25%a ~%25%b ~%-50%c}",
         {"choices": [{"text": "a", "correct": True, "credit": 0.5},
                      {"text": "b", "correct": True, "credit": 0.5},
                      {"text": "c", "credit": -0.5}]},
         "t.gift:1: the right answers' weights add up to 50%, not 100%: each is taken as its "
         "share of them (so that all of them together earn full marks): 'Q'"),
        # 100/n and -100/n are the app's own scoring: no credits needed.
        ("Q {~%50%a ~%50%b ~%-50%c}",
         {"choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True},
                      {"text": "c"}]},
         None),
        ("Q {=a =%50%b =%50%*#Any other.}",
         {"answers": ["a"], "partial": [{"text": "b", "credit": 0.5}],
          "otherwise": "Any other."},
         "t.gift:1: any other answer has weight 50%; in the app it earns nothing (its feedback "
         "is kept): 'Q'"),
        ("Q {=a =%50%transplant*#Stem?}",
         {"answers": ["a"], "partial": [{"text": "transplant", "credit": 0.5,
                                         "feedback": "Stem?"}]},
         "t.gift:1: answer 'transplant*': the wildcard '*' after 'transplant' is read as "
         "'transplant', whose plural and simple inflections the app accepts (in English), but "
         "no other ending: 'Q'"),
        ("Q {#=1 =%-50%2#No.}", {"answer": 1},
         "t.gift:1: answer '2' has weight -50%; the app has no wrong numbers with feedback, "
         "only partly right ones: dropped: 'Q'"),
    ],
)  # fmt: skip
def test_partial_credit_forms(text: str, spec: dict[str, Any], warning: str | None) -> None:
    result = IMPORTER.read(text.encode(), "t.gift")
    assert result.doc is not None
    assert dict(result.doc.questions[0].spec) == spec
    assert messages(result.warnings) == ([warning] if warning else [])
    assert validate_imported(result.doc) == []
