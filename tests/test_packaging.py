"""A plain (non-editable) install finds its templates, static files, migrations and bank."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import quizapp
    from quizapp import create_app, paths
    from quizapp.extensions import db
    from flask_migrate import upgrade

    target = Path(sys.argv[1]).resolve()
    assert Path(quizapp.__file__).resolve().is_relative_to(target), quizapp.__file__
    for folder in (paths.templates_dir(), paths.static_dir(), paths.migrations_dir(),
                   paths.questions_dir()):
        assert folder.resolve().is_relative_to(target), folder
        assert folder.is_dir(), folder
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[2], "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
    client = app.test_client()
    assert client.get("/auth/login").status_code == 200
    with client.get("/static/css/app.css") as resp:
        assert resp.status_code == 200
    print("ok")
    """
)


@pytest.mark.slow
def test_wheel_install_finds_its_files(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    target = tmp_path / "site"
    wheel = next(wheels.glob("quizapp-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    run = tmp_path / "elsewhere"
    run.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(target), str(tmp_path / "app.db")],
        cwd=run,
        env={
            "PYTHONPATH": str(target),
            "QUIZAPP_INSTANCE_PATH": str(tmp_path / "inst"),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
