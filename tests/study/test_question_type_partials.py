"""Every registered question type has its partial, and the partial submits what the type reads."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, render_template

from quizapp.grading import REGISTRY, get_type
from quizapp.paths import templates_dir
from tests.grading.test_cloze_gaps import GAPS
from tests.grading.test_question_types import EXAMPLES

CASES = [(name, EXAMPLES[name]) for name in sorted(REGISTRY)] + [("cloze", GAPS)]


@pytest.mark.parametrize(("name", "spec"), CASES, ids=[*sorted(REGISTRY), "cloze-gap-kinds"])
def test_each_type_renders_its_own_partial(app: Flask, name: str, spec: dict[str, Any]) -> None:
    qtype = get_type(name)
    assert (templates_dir() / qtype.template).is_file()
    question = SimpleNamespace(question_set=SimpleNamespace(uid="partials"))
    with app.test_request_context():
        html = render_template(
            qtype.template, presented=qtype.present(spec, seed=5), question=question
        )
    submitted = {field for field, _ in qtype.form_fields(qtype.sample_responses(spec)[0])}
    controls = set(re.findall(r'<(?:input|select)[^>]* name="([^"]+)"', html))
    assert submitted <= controls
    # Every control the learner sets has a label: by its id, or the label around it.
    for control in re.finditer(r'<(input|select)\b(?![^>]*type="hidden")[^>]*>', html):
        ident = re.search(r' id="([^"]+)"', control.group(0))
        labelled_by_id = ident is not None and f'for="{ident.group(1)}"' in html
        inside_label = html.rfind("<label", 0, control.start()) > html.rfind(
            "</label>", 0, control.start()
        )
        assert labelled_by_id or inside_label, control.group(0)


def test_a_choice_gap_is_a_list_with_its_options_and_a_numeric_gap_shows_its_unit(
    app: Flask,
) -> None:
    cloze = get_type("cloze")
    question = SimpleNamespace(question_set=SimpleNamespace(uid="partials"))
    with app.test_request_context():
        html = render_template(
            cloze.template, presented=cloze.present(GAPS, seed=5), question=question
        )
    select = re.search(r'<select class="gap" id="gap-1" name="gap-1">(.*?)</select>', html, re.S)
    assert select is not None
    options = re.findall(r'<option value="(\d*)">([^<]*)</option>', select.group(1))
    assert options[0] == ("", "Choose…")
    assert sorted(options[1:]) == [("0", "amplified"), ("1", "frozen"), ("2", "halved")]
    assert re.search(r'name="gap-2" [^>]*>\s*<span>days</span>', html)
    assert 'inputmode="decimal" class="gap" id="gap-2"' in html
