"""Drafting a question set from a document, reviewing the drafts, and publishing the set.

Services add and flush; the view commits. Every check goes through the same reader and
validator as question-set files, so a published draft is exactly what ``bank load`` accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from quizapp.bank.derive import derive
from quizapp.bank.model import Problem, SetDoc, SourceDoc, TopicDoc
from quizapp.bank.validate import check_text
from quizapp.bank.yamlformat import dump_set, question_entry
from quizapp.extensions import db
from quizapp.grading.registry import REGISTRY
from quizapp.instructor.models import Draft
from quizapp.models import User
from quizapp.sets.loader import LoadReport, load_checked_set

PENDING, KEPT, DISCARDED = "pending", "kept", "discarded"
BLANK = "_____"
STATUSES = (PENDING, KEPT, DISCARDED)
DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".rst")


class DraftError(ValueError):
    """The request cannot be carried out; ``problems`` says every reason, with its place."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class DraftItem:
    """One drafted question as the review page shows it."""

    key: str
    status: str
    entry: Mapping[str, Any]
    topic_title: str
    type_label: str
    answer: str
    group_index: int = 0
    group_size: int = 1
    """Drafts of the same sentence are listed together: this one's place among them."""

    @property
    def prompt(self) -> str:
        return str(self.entry.get("prompt") or self.entry.get("text") or "")

    @property
    def prompt_parts(self) -> list[tuple[str, bool]]:
        """The prompt as (text, is_blank) pieces, so the page can highlight each blank."""
        return [(part, part == BLANK) for part in re.split(f"({BLANK})", self.prompt) if part]

    @property
    def cloze_parts(self) -> list[tuple[str, bool]]:
        """A cloze's text as (text, is_gap) pieces, each gap by its first accepted answer."""
        text = str(self.entry.get("text") or "") if self.entry.get("type") == "cloze" else ""
        pieces = re.split(r"\[\[(.+?)\]\]", text)
        return [
            (piece.split("|")[0] if n % 2 else piece, n % 2 == 1)
            for n, piece in enumerate(pieces)
            if piece
        ]

    @property
    def quote(self) -> str:
        return str(self.entry.get("source", {}).get("quote", ""))

    @property
    def section(self) -> str:
        return str(self.entry.get("source", {}).get("section", ""))


def slugify(text: str) -> str:
    """Turn a title into a set id: lower case letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "draft"


def read_document(filename: str, data: bytes) -> str:
    """Return the text of an uploaded .txt/.md document, or raise DraftError saying why not."""
    if not filename.lower().endswith(DOCUMENT_SUFFIXES):
        raise DraftError(
            [f"{filename}: only plain text (.txt), Markdown (.md) or reStructuredText (.rst)"]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DraftError([f"{filename}:{line}: not UTF-8 text (byte {exc.start})"]) from None
    if "\x00" in text:
        raise DraftError([f"{filename}: this looks like a binary file, not a text document"])
    if not text.strip():
        raise DraftError([f"{filename}: the document is empty"])
    return text.replace("\r\n", "\n")


def _dump_entry(entry: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(entry), sort_keys=False, allow_unicode=True, width=100)


def create_draft(
    owner: User, filename: str, data: bytes, title: str, set_uid: str, limit: int | None = None
) -> Draft:
    """Draft questions (at most ``limit``) from an uploaded document and keep them for review."""
    text = read_document(filename, data)
    title = title.strip() or filename.rsplit(".", 1)[0]
    set_uid = set_uid.strip() or slugify(title)
    doc = derive(text, title, set_uid, limit=limit)
    if not doc.questions:
        raise DraftError([f"{filename}: no question could be drafted from this document"])
    payload = {
        "topics": [{"id": t.id, "title": t.title, "section": t.section} for t in doc.topics],
        "questions": [
            {"key": q.id, "status": PENDING, "entry": question_entry(q)} for q in doc.questions
        ],
    }
    draft = Draft(
        owner=owner,
        set_uid=set_uid,
        title=title,
        source_name=filename,
        source_text=text,
        payload=payload,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def _find(draft: Draft, key: str) -> dict[str, Any]:
    for item in draft.payload["questions"]:
        if item["key"] == key:
            return dict(item)
    raise KeyError(key)


def _replace(draft: Draft, key: str, **changes: Any) -> None:
    # Assign a new payload so the JSON column is seen as changed.
    questions = [
        {**item, **changes} if item["key"] == key else item for item in draft.payload["questions"]
    ]
    draft.payload = {**draft.payload, "questions": questions}
    db.session.flush()


def items(draft: Draft) -> list[DraftItem]:
    """Return the drafted questions with what the review page shows of each."""
    topics = {t["id"]: t["title"] for t in draft.payload["topics"]}
    found = []
    for item in _by_sentence(draft.payload["questions"]):
        entry = item["entry"]
        qtype = REGISTRY.get(str(entry.get("type")))
        spec = {k: v for k, v in entry.items() if qtype and k in qtype.keys}
        try:
            answer = qtype.correct_answer_text(spec) if qtype else ""
        except (KeyError, TypeError, ValueError):
            answer = ""
        found.append(
            DraftItem(
                key=item["key"],
                status=item["status"],
                entry=entry,
                topic_title=topics.get(str(entry.get("topic")), str(entry.get("topic"))),
                type_label=qtype.label if qtype else str(entry.get("type")),
                answer=answer,
            )
        )
    return _numbered_groups(found)


def _quote_of(item: Mapping[str, Any]) -> str:
    return " ".join(str(item["entry"].get("source", {}).get("quote", "")).split())


def _by_sentence(questions: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The drafts in their order, each sentence's together (where its first draft is)."""
    first: dict[str, int] = {}
    for n, item in enumerate(questions):
        first.setdefault(_quote_of(item), n)
    return sorted(questions, key=lambda item: first[_quote_of(item)])


def _numbered_groups(found: list[DraftItem]) -> list[DraftItem]:
    sizes: dict[str, int] = {}
    for item in found:
        sizes[item.quote] = sizes.get(item.quote, 0) + 1
    seen: dict[str, int] = {}
    numbered = []
    for item in found:
        index = seen.get(item.quote, 0)
        seen[item.quote] = index + 1
        numbered.append(replace(item, group_index=index, group_size=sizes[item.quote]))
    return numbered


def set_status(draft: Draft, key: str, status: str) -> None:
    """Mark one drafted question kept, discarded or pending again."""
    if status not in STATUSES:
        raise DraftError([f"unknown status {status!r}"])
    _find(draft, key)
    _replace(draft, key, status=status)


def entry(draft: Draft, key: str) -> dict[str, Any]:
    """One drafted question as the set file would hold it."""
    return dict(_find(draft, key)["entry"])


def replace_entry(draft: Draft, key: str, new: Mapping[str, Any]) -> None:
    """Store an edited question (checked by the editor with the draft's ``header``)."""
    _find(draft, key)
    _replace(draft, key, entry=dict(new))


def header(draft: Draft) -> SetDoc:
    """The draft as a set without questions: its document and topics, to check one against."""
    return _header(draft)


def _header(draft: Draft) -> SetDoc:
    return SetDoc(
        id=draft.set_uid,
        title=draft.title,
        description=f"Drafted from {draft.source_name}.",
        version="1",
        source=SourceDoc(title=draft.title, text=draft.source_text),
        topics=tuple(
            TopicDoc(t["id"], t["title"], t.get("section") or "") for t in draft.payload["topics"]
        ),
        questions=(),
    )


def _compose(draft: Draft, blocks: Sequence[tuple[str, str]]) -> tuple[str, list[tuple[str, int]]]:
    """Return a whole set file holding ``blocks`` (key, YAML) and the line each block starts on."""
    text = dump_set(_header(draft), inline_source=True) + "questions:\n"
    starts = []
    for key, block in blocks:
        line = text.count("\n") + 1
        starts.append((key, line))
        lines = block.rstrip("\n").split("\n")
        text += "- " + lines[0] + "\n" + "".join(f"  {rest}\n" for rest in lines[1:])
    return text, starts


def _locate(problem: Problem, starts: Sequence[tuple[str, int]]) -> tuple[str | None, int]:
    """Map a line of the composed file back to (question key, line within its block)."""
    owner: tuple[str | None, int] = (None, problem.line)
    for key, start in starts:
        if problem.line >= start:
            owner = (key, problem.line - start + 1)
    return owner


def check_blocks(
    draft: Draft, blocks: Sequence[tuple[str, str]]
) -> tuple[SetDoc | None, list[tuple[str | None, int, str]]]:
    """Validate drafted questions as a set file would be; problems as (key, line, message)."""
    text, starts = _compose(draft, blocks)
    parsed = check_text(text, f"draft {draft.set_uid}")
    located = [(*_locate(p, starts), p.message) for p in parsed.problems]
    return parsed.doc, located


def publish(draft: Draft, owner: User) -> LoadReport:
    """Create (or update) the set from the kept questions, then delete the draft."""
    kept = [item for item in draft.payload["questions"] if item["status"] == KEPT]
    if not kept:
        raise DraftError(["keep at least one question before publishing"])
    doc, problems = check_blocks(draft, [(i["key"], _dump_entry(i["entry"])) for i in kept])
    if problems or doc is None:
        raise DraftError(
            [f"question {key or '?'} line {line}: {message}" for key, line, message in problems]
        )
    report = load_checked_set(doc, owner)  # check_blocks has validated it
    db.session.delete(draft)
    db.session.flush()
    return report
