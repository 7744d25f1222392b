"""``flask --app quizapp bank derive DOCUMENT -o questions/NAME.yaml``: draft a question set.

The drafted set refers to its document by file name, so the document is copied beside the
output as ``NAME.source.txt``; ``bank load`` then reads it from there. The set is validated
before anything is written: a draft that ``bank load`` would refuse is never written.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import click

from quizapp.bank.derive import derive, slugify
from quizapp.bank.model import SetDoc
from quizapp.bank.validate import validate_set
from quizapp.bank.yamlformat import YAML_SUFFIXES, write_set

SOURCE_SUFFIX = ".source.txt"


def source_path_for(output: Path) -> Path:
    """Where the document goes beside ``output``: questions/x.yaml -> questions/x.source.txt."""
    stem = output.name
    for suffix in YAML_SUFFIXES:
        stem = stem.removesuffix(suffix)
    return output.with_name(stem + SOURCE_SUFFIX)


def default_title(text: str, document: Path) -> str:
    """The document's leading Markdown title (``# Title``), else its file name in words."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if match := re.match(r"^#[ \t]+(.+?)[ \t#]*$", first):
        return match.group(1)
    words = " ".join(re.split(r"[-_.\s]+", document.name.split(".")[0])).strip()
    return words[:1].upper() + words[1:] if words else "Draft questions"


def _read(document: Path) -> str:
    try:
        text = document.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{document}: cannot read it as UTF-8 text ({exc})") from exc
    if not text.strip():
        raise click.ClickException(f"{document}: the document is empty")
    return text


def _check_targets(document: Path, output: Path, source: Path, text: str, force: bool) -> None:
    """Refuse to overwrite an existing set, or a different document under the source name."""
    if output.exists() and not force:
        raise click.ClickException(f"{output} exists: pass --force to overwrite it")
    if not source.exists() or force or source.resolve() == document.resolve():
        return
    if source.read_text(encoding="utf-8-sig") != text:
        raise click.ClickException(
            f"{source} exists and holds another document: pass --force to overwrite it"
        )


def _summary(doc: SetDoc) -> list[str]:
    titles = {t.id: t.title for t in doc.topics}
    per_topic = Counter(q.topic for q in doc.questions)
    per_type = Counter(q.type for q in doc.questions)
    lines = [f"  {titles[t]} ({t}): {per_topic[t]}" for t in titles]
    lines += [f"  {name}: {count}" for name, count in sorted(per_type.items())]
    return lines


@click.command("derive")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The question-set file to write, e.g. questions/NAME.yaml.",
)
@click.option("--title", default="", help="The set's title (default: the document's title).")
@click.option("--id", "set_id", default="", help="The set's id (default: from the file name).")
@click.option("--force", is_flag=True, help="Overwrite an existing set file and document copy.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Draft at most this many questions, the most central facts first (default: all).",
)
def derive_command(
    document: Path, output: Path, title: str, set_id: str, force: bool, limit: int | None
) -> None:
    """Draft a question set from a plain-text, Markdown or reStructuredText DOCUMENT."""
    text = _read(document)
    source = source_path_for(output)
    _check_targets(document, output, source, text, force)
    set_id = set_id or slugify(source.name.removesuffix(SOURCE_SUFFIX), 100)
    doc = derive(text, title or default_title(text, document), set_id, limit=limit)
    doc = replace(doc, source=replace(doc.source, file=source.name))
    if not doc.questions:
        raise click.ClickException(f"{document}: no question could be drafted from it")
    if problems := validate_set(doc):
        details = "\n".join(f"  {p.message}" for p in problems)
        raise click.ClickException(f"the drafts do not validate, nothing written:\n{details}")
    output.parent.mkdir(parents=True, exist_ok=True)
    if source.resolve() != document.resolve():
        shutil.copyfile(document, source)
    write_set(doc, output)
    click.echo(f"Drafted {len(doc.questions)} questions into {output} (document: {source.name}).")
    click.echo("\n".join(_summary(doc)))
    click.echo("Review them, then load the set with: flask --app quizapp bank load " + str(output))
