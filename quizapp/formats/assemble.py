"""Putting an imported set together: its header, topics by title, questions with unique ids.

Formats other than the app's own have no set header and no source document: the set takes its
id (unless one is given) and title from the file name, version ``1``, and a source titled after
the file with no text. Questions without a topic go to the topic ``General``.
"""

from __future__ import annotations

from pathlib import PurePath

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.formats.ids import IdBook, clean_id, content_id, slug

DEFAULT_TOPIC = "General"
NO_SOURCE = SourceRef(section="", quote="")


def file_stem(filename: str) -> str:
    """Return the file's name without folders and without its last extension."""
    name = PurePath(filename.replace("\\", "/")).name
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


class SetBuilder:
    """Collects topics and questions in file order and makes the ``SetDoc``."""

    def __init__(self, filename: str, set_id: str | None = None) -> None:
        self.filename = filename
        self.set_id = set_id
        self._topics: dict[str, TopicDoc] = {}
        self._by_id: dict[str, str] = {}
        self._topic_ids = IdBook()
        self._question_ids = IdBook()
        self.questions: list[QuestionDoc] = []

    def topic(self, title: str, line: int = 0, *, given_id: str = "") -> str:
        """Return the id of the topic called ``title``, adding the topic if it is new.

        A topic the file gives an id for is found by that id; a new topic takes ``given_id``
        (cleaned) if there is one, else its title's slug.
        """
        own = clean_id(given_id)
        if own in self._by_id:
            return own
        title = " ".join(title.split()) or DEFAULT_TOPIC
        if title not in self._topics:
            topic_id = self._topic_ids.take(own or slug(title) or "topic")
            self._topics[title] = TopicDoc(id=topic_id, title=title, line=line)
            self._by_id[topic_id] = title
        return self._topics[title].id

    def question_id(self, given: str, title: str, prompt: str) -> str:
        """Return the question's id: its own if it has one, else one made from its content.

        Two questions with the same content get ``-2``, ``-3``...; an id the file repeats is
        kept as it is, for the validator to report at both lines.
        """
        own = clean_id(given)
        if own:
            return self._question_ids.keep(own)
        return self._question_ids.take(content_id(title, prompt))

    def add(self, question: QuestionDoc) -> None:
        self.questions.append(question)

    def build(self, description: str = "") -> SetDoc:
        stem = file_stem(self.filename)
        return SetDoc(
            id=self.set_id if self.set_id is not None else (slug(stem) or "imported-set"),
            title=stem or "Imported set",
            description=description,
            version="1",
            source=SourceDoc(title=f"Imported from {PurePath(self.filename).name}", text=""),
            topics=tuple(self._topics.values()),
            questions=tuple(self.questions),
            file=self.filename,
            locations={(): 1},
        )
