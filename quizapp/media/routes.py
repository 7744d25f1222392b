"""Serve the files stored with sets; the ``rich`` filter points question text at them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, url_for
from flask_login import current_user
from markupsafe import Markup

from quizapp.auth.permissions import role_required
from quizapp.extensions import db
from quizapp.media import bp
from quizapp.models import MediaAsset, QuestionSet, Role
from quizapp.richtext import render_rich

# Stored files never change under their name within a set: an import that changes a file's
# content gives it a new name, so browsers may keep them for a long time.
CACHE_CONTROL = "private, max-age=31536000, immutable"
SVG = "image/svg+xml"


def rich(text: object, set_uid: str) -> Markup:
    """Template filter: question text of set ``set_uid`` as safe HTML (see quizapp.richtext)."""
    return render_rich(text, lambda name: url_for("media.serve", set_uid=set_uid, name=name))


def _visible(question_set: QuestionSet) -> bool:
    return (
        question_set.is_published
        or question_set.owner_id == current_user.id
        or current_user.has_role(Role.ADMIN)
    )


@bp.route("/<set_uid>/<path:name>")
@role_required(Role.LEARNER)  # any account
def serve(set_uid: str, name: str) -> Response:
    """Send one stored file: images inline, anything else as a download."""
    asset = db.session.scalar(
        sa.select(MediaAsset)
        .join(QuestionSet, MediaAsset.set_id == QuestionSet.id)
        .where(QuestionSet.uid == set_uid, MediaAsset.name == name)
    )
    if asset is None or not _visible(asset.question_set):
        abort(404)
    response = Response(asset.data, content_type=asset.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["ETag"] = f'"{asset.sha256}"'
    if asset.content_type == SVG:
        # An SVG opened on its own may run scripts: sandbox it like a foreign page.
        response.headers["Content-Security-Policy"] = "sandbox"
    elif not asset.content_type.startswith("image/"):
        response.headers["Content-Disposition"] = "attachment"
    return response
