"""Draft question sets: questions drafted from an uploaded document, under review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.db import Base, JSONDoc, UTCDateTime, utcnow
from quizapp.models import User


class Draft(Base):
    """A set drafted from a document; each question is pending, kept or discarded.

    ``payload`` holds ``{"topics": [...], "questions": [{"key", "status", "entry"}]}`` where
    ``entry`` is the question as the YAML format writes it, so an edit is a YAML edit.
    """

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    set_uid: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(200))
    source_name: Mapped[str] = mapped_column(sa.String(255))
    source_text: Mapped[str] = mapped_column(sa.Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship()
