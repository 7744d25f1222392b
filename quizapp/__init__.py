"""quizapp: spaced-repetition quizzes derived from a source document."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from quizapp import paths
from quizapp.config import settings_from_env

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the app.

    Args:
        config: settings that override those read from the environment (tests pass
            ``SQLALCHEMY_DATABASE_URI``, ``SECRET_KEY`` and the like here).
    """
    instance_path = os.environ.get("QUIZAPP_INSTANCE_PATH")
    app = Flask(
        __name__,
        template_folder=str(paths.templates_dir()),
        static_folder=str(paths.static_dir()),
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    overrides = dict(config or {})
    environ = dict(os.environ)
    if "SECRET_KEY" in overrides:
        environ["QUIZAPP_SECRET_KEY"] = str(overrides["SECRET_KEY"])
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        environ["QUIZAPP_DATABASE_URL"] = str(overrides["SQLALCHEMY_DATABASE_URI"])
    app.config.from_mapping(settings_from_env(environ, Path(app.instance_path)))
    app.config.from_mapping(overrides)

    from quizapp.web import init_web

    init_web(app)
    return app
