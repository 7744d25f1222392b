"""Every registered question type has its partial, and the partial submits what the type reads."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import Flask, render_template

from quizapp.grading import REGISTRY, get_type
from quizapp.paths import templates_dir
from tests.grading.test_question_types import EXAMPLES


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_type_renders_its_own_partial(app: Flask, name: str) -> None:
    qtype, spec = get_type(name), EXAMPLES[name]
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
