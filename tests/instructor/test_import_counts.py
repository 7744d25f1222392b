"""One upload, from the form through its preview to its publication, is read once, validated
once, and compared with the stored set by the loader alone: once in a rolled-back savepoint
for the preview, once for real when published."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskCliRunner

from quizapp.extensions import db
from quizapp.formats import IMPORTERS
from quizapp.models import Question, Role, User
from quizapp.sets import imports, loader
from tests.conftest import Browserless, csrf_token_from

GIFT = b"""\
$CATEGORY: Geography

// [id:capital]
::Capital::What is the capital of France? {=Paris ~London ~Berlin}

// [id:sun]
::Sun::The sun is a star.{T}
"""


def _counting(calls: Counter[str], key: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[key] += 1
        return function(*args, **kwargs)

    return counted


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count every parse (an importer's ``read``), validation and run of the loader."""
    found: Counter[str] = Counter()
    for importer in IMPORTERS.values():
        monkeypatch.setattr(importer, "read", _counting(found, "parse", importer.read))
    for module, name in ((imports, "validate_questions"), (loader, "validate_set")):
        monkeypatch.setattr(module, name, _counting(found, "validate", getattr(module, name)))
    # The loader is the one comparison of a document with the stored set.
    monkeypatch.setattr(loader, "_sync_questions", _counting(found, "diff", loader._sync_questions))
    monkeypatch.setattr(
        imports, "preview_load", _counting(found, "preview_load", loader.preview_load)
    )
    return found


def test_an_upload_is_parsed_validated_and_diffed_once_for_its_preview_and_publication(
    user_agent: Browserless, make_user: Callable[..., User], calls: Counter[str]
) -> None:
    make_user("teacher@example.org", role=Role.INSTRUCTOR)
    user_agent.login("teacher@example.org")

    resp = user_agent.submit(
        "/instructor/imports/new",
        {"upload": (io.BytesIO(GIFT), "quiz.gift"), "set_id": ""},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    assert calls == {"parse": 1, "validate": 1}  # the upload is checked, nothing compared

    preview_url = resp.headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "A new set: 2 questions" in page
    assert calls == {"parse": 1, "validate": 1, "diff": 1, "preview_load": 1}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0

    # Posted with the preview page's form token (``submit`` would fetch the page again).
    token = csrf_token_from(page)
    resp = user_agent.client.post(preview_url + "/publish", data={"csrf_token": token})
    assert resp.status_code == 302
    # Publishing loads the set kept checked with the upload: no second read or validation,
    # and the loader's own run is the only comparison.
    assert calls == {"parse": 1, "validate": 1, "diff": 2, "preview_load": 1}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 2


def test_the_command_line_reads_and_validates_once(
    runner: FlaskCliRunner, tmp_path: Path, calls: Counter[str]
) -> None:
    path = tmp_path / "quiz.gift"
    path.write_bytes(GIFT)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert calls == {"parse": 1, "validate": 1, "diff": 2, "preview_load": 1}
