"""The app's own question-set format: YAML <-> ``SetDoc``, keeping the line of every value.

Reading turns the YAML node tree (``yaml.compose``) into plain values while noting the line of
each key and list entry, so that any later check can say ``file:line``. Only ``true``/``false``
are booleans (YAML 1.2 style): ``No``, ``yes`` or ``off`` stay text, and dates stay text too.
The reader reports problems of shape (wrong kinds of values, unknown or repeated keys, a
missing source file); ``quizapp.bank.validate`` checks the content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quizapp.bank.model import (
    KeyPath,
    Locations,
    Problem,
    QuestionDoc,
    SetDoc,
    SourceDoc,
    SourceRef,
    TopicDoc,
    nearest_line,
)
from quizapp.grading.checks import kind_of

SET_KEYS = ("id", "title", "description", "version", "language", "source", "topics", "questions")
SOURCE_KEYS = ("title", "file", "text")
TOPIC_KEYS = ("id", "title", "section")
QUESTION_KEYS = ("id", "topic", "type", "title", "prompt", "explanation", "source", "tags")
"""The keys every question may have; all its other keys make up its type-specific spec."""
REF_KEYS = ("section", "quote")
YAML_SUFFIXES = (".yaml", ".yml")

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """A safe loader that reads only true/false as booleans and never makes dates."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class Parsed:
    """What reading one file gave: the set (None if unreadable) and the problems of shape."""

    doc: SetDoc | None
    problems: tuple[Problem, ...]


class _Tree:
    """Turns YAML nodes into plain values, noting lines, and the source text of scalars."""

    def __init__(self, loader: _Loader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[KeyPath, int] = {}
        self.raw: dict[KeyPath, str] = {}
        self.problems: list[Problem] = []
        self._open: set[int] = set()

    def fail(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def value(self, node: yaml.Node, path: KeyPath) -> object:
        """Return the plain value of ``node`` found at ``path``."""
        if id(node) in self._open:
            self.fail(_line(node), "an alias refers to itself")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path)
            return self._scalar(node, path)
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node, path)
            if not isinstance(key, str):
                self.fail(_line(key_node), f"a key must be text, not {kind_of(key)}")
                continue
            if key in result:
                self.fail(_line(key_node), f"'{key}' is given twice")
            self.lines[(*path, key)] = _line(key_node)
            result[key] = self.value(value_node, (*path, key))
        return result

    def _sequence(self, node: yaml.SequenceNode, path: KeyPath) -> list[object]:
        items = []
        for index, item in enumerate(node.value):
            self.lines[(*path, index)] = _line(item)
            items.append(self.value(item, (*path, index)))
        return items

    def _scalar(self, node: yaml.Node, path: KeyPath) -> object:
        self.raw[path] = str(node.value)
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError:
            self.fail(_line(node), f"unsupported YAML tag {node.tag}")
            return None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1 if node.start_mark is not None else 0


class _SetReader:
    """Builds a ``SetDoc`` from the plain values of a file, reporting problems of shape."""

    def __init__(self, tree: _Tree, base_dir: Path | None) -> None:
        self.tree = tree
        self.base_dir = base_dir

    def fail(self, path: KeyPath, message: str) -> None:
        self.tree.fail(nearest_line(self.tree.lines, path), message)

    def mapping(
        self, value: object, path: KeyPath, what: str, allowed: tuple[str, ...] | None
    ) -> Mapping[str, object]:
        """Return ``value`` if it is a mapping, reporting keys outside ``allowed``."""
        if not isinstance(value, Mapping):
            self.fail(path, f"{what} must be a mapping of keys to values, not {kind_of(value)}")
            return {}
        for key in value:
            if allowed is not None and key not in allowed:
                self.fail(
                    (*path, key), f"unknown key '{key}' in {what} (allowed: {', '.join(allowed)})"
                )
        return value

    def entries(self, value: object, path: KeyPath, what: str) -> list[object]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, f"{what} must be a list, not {kind_of(value)}")
            return []
        return value

    def text(self, mapping: Mapping[str, object], key: str, path: KeyPath) -> str:
        """Return the text at ``key``; a number counts as the text it was written as."""
        value = mapping.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.tree.raw.get((*path, key), str(value))
        self.fail((*path, key), f"{key} must be text, not {kind_of(value)}")
        return ""

    def read(self, root: object) -> SetDoc:
        data = self.mapping(root, (), "the file", SET_KEYS)
        return SetDoc(
            id=self.text(data, "id", ()),
            title=self.text(data, "title", ()),
            description=self.text(data, "description", ()),
            version=self.text(data, "version", ()),
            language=self.text(data, "language", ()) or "en",
            source=self.source(data.get("source"), ("source",)),
            topics=tuple(
                self.topic(entry, ("topics", i))
                for i, entry in enumerate(self.entries(data.get("topics"), ("topics",), "topics"))
            ),
            questions=tuple(
                self.question(entry, ("questions", i))
                for i, entry in enumerate(
                    self.entries(data.get("questions"), ("questions",), "questions")
                )
            ),
            file=self.tree.file,
            locations={p: n for p, n in self.tree.lines.items() if not _in_question(p)},
        )

    def source(self, value: object, path: KeyPath) -> SourceDoc:
        if value is None:
            return SourceDoc(title="", text="")
        data = self.mapping(value, path, "source", SOURCE_KEYS)
        file = self.text(data, "file", path)
        text = self.text(data, "text", path)
        if file and text:
            self.fail((*path, "text"), "source: give either file or text, not both")
        elif file:
            text = self.source_file(file, (*path, "file"))
        return SourceDoc(title=self.text(data, "title", path), text=text, file=file)

    def source_file(self, name: str, path: KeyPath) -> str:
        """Read the document ``name`` names, which must lie in the set file's folder."""
        if self.base_dir is None:
            self.fail(path, f"source file '{name}' cannot be read here: paste the text instead")
            return ""
        folder = self.base_dir.resolve()
        target = (folder / name).resolve()
        if not target.is_relative_to(folder):
            self.fail(path, f"source file '{name}' must be in the set file's folder or below")
            return ""
        try:
            return target.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            reason = "not found" if isinstance(exc, FileNotFoundError) else str(exc)
            self.fail(path, f"source file '{name}' cannot be read: {reason}")
            return ""

    def topic(self, value: object, path: KeyPath) -> TopicDoc:
        data = self.mapping(value, path, "a topic", TOPIC_KEYS)
        return TopicDoc(
            id=self.text(data, "id", path),
            title=self.text(data, "title", path),
            section=self.text(data, "section", path),
            line=nearest_line(self.tree.lines, path),
        )

    def question(self, value: object, path: KeyPath) -> QuestionDoc:
        data = self.mapping(value, path, "a question", None)
        return QuestionDoc(
            id=self.text(data, "id", path),
            topic=self.text(data, "topic", path),
            type=self.text(data, "type", path),
            title=self.text(data, "title", path),
            prompt=self.text(data, "prompt", path),
            spec={k: v for k, v in data.items() if k not in QUESTION_KEYS},
            explanation=self.text(data, "explanation", path),
            source=self.source_ref(data.get("source"), (*path, "source")),
            tags=self.tags(data.get("tags"), (*path, "tags")),
            locations=_below(self.tree.lines, path),
        )

    def source_ref(self, value: object, path: KeyPath) -> SourceRef:
        if value is None:
            return SourceRef(section="", quote="")
        data = self.mapping(value, path, "the question's source", REF_KEYS)
        return SourceRef(
            section=self.text(data, "section", path), quote=self.text(data, "quote", path)
        )

    def tags(self, value: object, path: KeyPath) -> tuple[str, ...]:
        tags = []
        for i, tag in enumerate(self.entries(value, path, "tags")):
            if isinstance(tag, str) and tag.strip():
                tags.append(tag)
            else:
                self.fail((*path, i), f"a tag must be non-empty text, not {kind_of(tag)}")
        return tuple(tags)


def _in_question(path: KeyPath) -> bool:
    return len(path) > 2 and path[0] == "questions"


def _below(lines: Mapping[KeyPath, int], prefix: KeyPath) -> Locations:
    """Return the lines under ``prefix`` with paths made relative to it."""
    size = len(prefix)
    return {path[size:]: line for path, line in lines.items() if path[:size] == prefix}


def parse_set(text: str, file: str = "<text>", *, base_dir: Path | None = None) -> Parsed:
    """Read a question set from YAML ``text``.

    Args:
        text: the YAML.
        file: the name to give in problems (``file:line: message``).
        base_dir: the folder ``source.file`` is relative to; without one, a set that names a
            source file is a problem (an upload, say, must carry its text inline).
    """
    try:
        loader = _Loader(text)  # the reader rejects control characters already here
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        message = f"not valid YAML: character U+{exc.character:04X} is not allowed"
        return Parsed(None, (Problem(file, line, message),))
    tree = _Tree(loader, file)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 0
        return Parsed(None, (Problem(file, line, f"not valid YAML: {exc.problem}"),))
    except yaml.YAMLError as exc:
        return Parsed(None, (Problem(file, 0, f"not valid YAML: {exc}"),))
    except RecursionError:
        return Parsed(None, (Problem(file, 1, "not valid YAML: nested too deeply"),))
    finally:
        loader.dispose()
    if root is None:
        return Parsed(None, (Problem(file, 1, "the file is empty"),))
    tree.lines[()] = _line(root)
    doc = _SetReader(tree, base_dir).read(tree.value(root, ()))
    return Parsed(doc, tuple(sorted(tree.problems, key=lambda p: p.line)))


def read_set(path: Path, name: str | None = None) -> Parsed:
    """Read the question set in the file at ``path`` (named ``name`` in problems)."""
    file = name if name is not None else str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return Parsed(None, (Problem(file, 0, f"cannot read the file: {exc}"),))
    return parse_set(text, file, base_dir=path.parent)


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, multi-line text as literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def _plain(value: object) -> object:
    """Return ``value`` with tuples as lists and any mapping as a dict, for the dumper."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _dump(value: object) -> str:
    return yaml.dump(_plain(value), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _header(doc: SetDoc, inline_source: bool) -> dict[str, Any]:
    source: dict[str, Any] = {"title": doc.source.title}
    if doc.source.file and not inline_source:
        source["file"] = doc.source.file
    else:
        source["text"] = doc.source.text
    header: dict[str, Any] = {"id": doc.id, "title": doc.title}
    if doc.description:
        header["description"] = doc.description
    header["version"] = doc.version
    if doc.language != "en":
        header["language"] = doc.language
    header["source"] = source
    header["topics"] = [
        {"id": t.id, "title": t.title} | ({"section": t.section} if t.section else {})
        for t in doc.topics
    ]
    return header


def question_entry(question: QuestionDoc) -> dict[str, Any]:
    """Return a question as the mapping the file holds, keys in the documented order."""
    entry: dict[str, Any] = {"id": question.id, "topic": question.topic, "type": question.type}
    if question.title:
        entry["title"] = question.title
    if question.prompt:
        entry["prompt"] = question.prompt
    entry |= dict(question.spec)
    entry["explanation"] = question.explanation
    entry["source"] = {"section": question.source.section, "quote": question.source.quote}
    if question.tags:
        entry["tags"] = list(question.tags)
    return entry


def dump_set(doc: SetDoc, *, inline_source: bool = False) -> str:
    """Write ``doc`` in the YAML format, one blank line between questions.

    The source document is referenced by its file name when it came from a file, unless
    ``inline_source`` asks for its text to be written into the set.
    """
    parts = [_dump(_header(doc, inline_source)), "questions:\n" if doc.questions else ""]
    for question in doc.questions:
        block = _dump([question_entry(question)])
        parts.append(
            "\n"
            + "".join(
                f"  {line}" if line.strip() else line for line in block.splitlines(keepends=True)
            )
        )
    return "".join(parts)


def write_set(doc: SetDoc, path: Path, *, inline_source: bool = False) -> None:
    """Write ``doc`` to the file at ``path`` (see ``dump_set``)."""
    path.write_text(dump_set(doc, inline_source=inline_source), encoding="utf-8")


def set_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders to the *.yaml / *.yml files directly inside them, in name order."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(str(path), 0, "no *.yaml files in this folder"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 0, "no such file or folder"))
    return files, problems
