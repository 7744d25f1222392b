"""The files a stored set's questions show (images from an imported package), by name."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.formats import MediaFile
from quizapp.models import MediaAsset, QuestionSet


def store_media(question_set: QuestionSet, media: Iterable[MediaFile]) -> int:
    """Add or replace the set's stored files by name; return how many were written."""
    stored = {
        row.name: row
        for row in db.session.scalars(
            sa.select(MediaAsset).where(MediaAsset.set_id == question_set.id)
        )
    }
    written = 0
    for item in media:
        digest = hashlib.sha256(item.data).hexdigest()
        row = stored.get(item.name)
        if row is not None and row.sha256 == digest and row.content_type == item.content_type:
            continue
        if row is None:
            row = MediaAsset(set_id=question_set.id, name=item.name)
            db.session.add(row)
        row.content_type = item.content_type
        row.sha256 = digest
        row.data = item.data
        row.size = len(item.data)
        written += 1
    return written


def set_media(question_set: QuestionSet) -> dict[str, bytes]:
    """Return the files stored with the set, by the name its questions use (``media:NAME``)."""
    rows = db.session.scalars(sa.select(MediaAsset).where(MediaAsset.set_id == question_set.id))
    return {row.name: row.data for row in rows}
