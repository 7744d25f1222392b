"""Serve the files stored with sets; the ``rich`` filter points question text at them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, request, url_for
from flask_login import current_user
from markupsafe import Markup

from quizapp.auth.permissions import role_required
from quizapp.extensions import db
from quizapp.media import bp
from quizapp.models import MediaAsset, QuestionSet, Role
from quizapp.richtext import render_rich
from quizapp.visibility import can_see_set

# Pages link to a stored file with its digest in the query (``media_url``): a new content is a
# new URL, so browsers may keep what they fetched for as long as they like.
CACHE_CONTROL = "private, max-age=31536000, immutable"
SVG = "image/svg+xml"
AUDIO_TYPES = frozenset({"audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4"})
"""Sounds served inline, for the question's audio player; other non-images are downloads."""
AUDIO_ALIASES = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
}
"""Older names of those types (``mimetypes`` calls a .wav ``audio/x-wav``): served by theirs."""


def _versions(set_uid: str) -> dict[str, str]:
    """Return the digest of each file stored with the set (read once per request)."""
    # Kept with the request, not in ``g``: an app context may outlive one request.
    known: dict[str, dict[str, str]] = request.environ.setdefault("quizapp.media_versions", {})
    if set_uid not in known:
        rows = db.session.execute(
            sa.select(MediaAsset.name, MediaAsset.sha256)
            .join(QuestionSet, MediaAsset.set_id == QuestionSet.id)
            .where(QuestionSet.uid == set_uid)
        )
        known[set_uid] = {row.name: row.sha256 for row in rows}
    return known[set_uid]


def media_url(set_uid: str, name: str) -> str:
    """Return the URL of a stored file; its digest in the query makes a new content a new URL."""
    digest = _versions(set_uid).get(name)
    return url_for("media.serve", set_uid=set_uid, name=name, v=digest[:16] if digest else None)


def rich(text: object, set_uid: str) -> Markup:
    """Template filter: question text of set ``set_uid`` as safe HTML (see quizapp.richtext)."""
    return render_rich(text, lambda name: media_url(set_uid, name))


@bp.route("/<set_uid>/<path:name>")
@role_required(Role.LEARNER)  # any account
def serve(set_uid: str, name: str) -> Response:
    """Send one stored file: images and common sounds inline, anything else as a download."""
    asset = db.session.scalar(
        sa.select(MediaAsset)
        .join(QuestionSet, MediaAsset.set_id == QuestionSet.id)
        .where(QuestionSet.uid == set_uid, MediaAsset.name == name)
    )
    if asset is None or not can_see_set(current_user, asset.question_set):
        abort(404)
    content_type = AUDIO_ALIASES.get(asset.content_type, asset.content_type)
    response = Response(asset.data, content_type=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["ETag"] = f'"{asset.sha256}"'
    if content_type == SVG:
        # An SVG opened on its own may run scripts: sandbox it like a foreign page.
        response.headers["Content-Security-Policy"] = "sandbox"
    elif not content_type.startswith("image/") and content_type not in AUDIO_TYPES:
        response.headers["Content-Disposition"] = "attachment"
    return response
