"""How long the background check of a large GIFT file takes (issue 13: a 20 MB file must
preview in under 30 s on 2 cores). A measurement, not a test:

    .venv/bin/python -m tests.instructor.bench_big_gift [MEGABYTES]

builds a GIFT file of that size (20 by default) from a few questions copied with distinct ids,
and times each step of the job on a fresh SQLite database: reading and checking the file
(``check_upload``), storing the checked set, and working out the preview.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

# A case vignette makes lines long, as real questions are: GIFT files are limited to 200,000
# lines, so a 20 MB file of one-line questions cannot be read at all.
VIGNETTE = (
    "A 64-year-old patient with relapsed multiple myeloma after three prior lines of "
    "therapy, including a proteasome inhibitor, an immunomodulatory drug and an anti-CD38 "
    "antibody, is referred for cellular therapy; the team reviews the history, the blood "
    "counts and the imaging before deciding. "
) * 2

QUESTIONS = (
    """// [id:capital-{n}]
::Capital {n}::{vignette} What is the capital of France (copy {n})? {{
=Paris#Right, Paris.
~London#No, that is England's.
~Berlin
####Paris has been the capital for centuries.
}}
""",
    """// [id:sun-{n}]
::Sun {n}::{vignette} The sun is a star (copy {n}).{{T#No: it is a star.#Right.}}
""",
    """// [id:pi-{n}]
::Pi {n}::{vignette} What is pi to two decimals (copy {n})? {{#3.14:0.005}}
""",
    """// [id:match-{n}]
::Abbreviations {n}::{vignette} Match each abbreviation (copy {n}). {{
=MM -> Multiple myeloma
=CAR -> Chimeric antigen receptor
=BCMA -> B cell maturation antigen
}}
""",
)


def big_gift(size: int) -> tuple[bytes, int]:
    """A GIFT file of at least ``size`` bytes (one question more at most), and its number of
    questions."""
    parts = ["$CATEGORY: Big\n\n"]
    total = len(parts[0])
    n = 0
    while total < size:
        text = QUESTIONS[n % len(QUESTIONS)].format(n=n, vignette=VIGNETTE.strip()) + "\n"
        parts.append(text)
        total += len(text.encode())
        n += 1
    return "".join(parts).encode(), n


def main(argv: list[str]) -> None:
    from flask_migrate import upgrade

    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.sets.imports import _checked_data, _checked_from, check_upload, preview_checked

    megabytes = float(argv[0]) if argv else 20.0
    # Just under the 20 MB upload limit (MiB), as the largest upload the form takes.
    data, questions = big_gift(int(megabytes * 1_000_000) - 1000)
    print(f"file: {len(data) / 1_000_000:.1f} MB, {questions} questions")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            checked = check_upload("big.gift", data, None)
            read = time.perf_counter()
            assert not checked.problems, checked.problems[:3]
            stored = json.dumps(_checked_data(checked))
            back = _checked_from("big.gift", json.loads(stored))
            kept = time.perf_counter()
            preview = preview_checked(back, None)
            db.session.rollback()
            done = time.perf_counter()
            assert preview.report is not None
            print(f"check_upload (read and check): {read - start:.1f} s")
            print(
                f"store and load the checked set ({len(stored) / 1e6:.0f} MB of JSON): "
                f"{kept - read:.1f} s"
            )
            print(f"preview ({preview.report.totals.created} new questions): {done - kept:.1f} s")
            print(f"the whole check: {done - start:.1f} s")
            db.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
