"""Settings, read from ``QUIZAPP_*`` environment variables with safe defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quizapp.db import json_loads

DEFAULT_MAX_UPLOAD_MB = 20


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key_from_instance(instance_path: Path) -> str:
    """Return the key kept in ``instance/secret_key``, creating it once if absent.

    Several workers may start at once: the file is created exclusively, so exactly one of
    them writes it and the others read what it wrote.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = key_file.read_text(encoding="ascii").strip()
        if key:
            return key
        raise RuntimeError(f"{key_file} is empty: delete it or set QUIZAPP_SECRET_KEY") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


def normalise_database_url(url: str) -> str:
    """Let ``postgres://`` and ``postgresql://`` URLs use the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict[str, Any]:
    """SQLAlchemy engine options for the database at ``url``.

    On PostgreSQL, no parallel query: the app's statements are a learner's or a class's rows
    read through indexes, where starting a parallel worker costs more than it saves (measured
    on the benchmark's data: 4 ms of a session start's 11 ms due-questions query went on the
    worker's launch). No JIT compilation either: the class pages' aggregates cost enough for
    PostgreSQL to compile them, and compiling cost more than it saved (the overview figures
    of the benchmark's class of 500: 218 ms with JIT, 135 ms without; its question statistics
    48 and 30 ms). Set as connection startup options, they cost no statement per request.

    JSON columns are decoded by ``json_loads`` (orjson).
    """
    options: dict[str, Any] = {"pool_pre_ping": True, "json_deserializer": json_loads}
    if url.startswith("postgresql"):
        options["connect_args"] = {"options": "-c max_parallel_workers_per_gather=0 -c jit=off"}
    return options


def settings_from_env(environ: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Build the Flask config from the environment.

    Settings (all optional):
      QUIZAPP_DATABASE_URL   SQLAlchemy URL; default a SQLite file ``instance/quizapp.db``.
      QUIZAPP_SECRET_KEY     signs sessions and CSRF tokens; default generated once into
                             ``instance/secret_key`` (set it explicitly when running several hosts).
      QUIZAPP_SECURE_COOKIES ``1`` to always mark cookies Secure; by default they are Secure
                             whenever the request came over HTTPS.
      QUIZAPP_TRUST_PROXY    number of reverse proxies in front of the app whose
                             ``X-Forwarded-*`` headers are trusted (0 by default).
      QUIZAPP_MAX_UPLOAD_MB  largest accepted upload (default 20).
      QUIZAPP_OPEN_REGISTRATION  ``0`` to disable self-service sign-up (default on).
      QUIZAPP_REDIS_URL      Redis for background jobs, run by ``flask worker``; default none:
                             jobs run in a thread of each web process.
      QUIZAPP_JOB_MODE       ``eager`` runs jobs right after the commit, in the committing
                             thread (tests, CLI); ``thread`` or ``rq`` force a backend.
      QUIZAPP_RATE_LIMITS    ``0`` turns login/registration/join throttling off (default on);
                             the counts live in QUIZAPP_REDIS_URL's Redis when it is set (shared
                             by every worker and host), else in each process's memory.
      QUIZAPP_BASE_URL       the site's public address (``https://quiz.example.org``), used
                             for links in e-mails and printed by the CLI; default none: the
                             address the request came to (set it in production, so that a
                             forged Host header cannot send password-reset links elsewhere).
      QUIZAPP_SMTP_HOST      SMTP server for outgoing mail (password resets); default none:
                             messages are written to the log instead (development).
      QUIZAPP_SMTP_PORT      its port; default 587 with STARTTLS, else 25.
      QUIZAPP_SMTP_USER      log in to the server with this user (and QUIZAPP_SMTP_PASSWORD);
      QUIZAPP_SMTP_PASSWORD  default none: no login.
      QUIZAPP_SMTP_STARTTLS  ``1`` to upgrade the connection with STARTTLS before sending;
                             default on when QUIZAPP_SMTP_USER is set (never send a password
                             in clear), else off.
      QUIZAPP_MAIL_FROM      the From address of outgoing mail; default ``quizapp@localhost``.
    """
    db_url = environ.get("QUIZAPP_DATABASE_URL") or f"sqlite:///{instance_path / 'quizapp.db'}"
    secret = environ.get("QUIZAPP_SECRET_KEY") or secret_key_from_instance(instance_path)
    max_mb = int(environ.get("QUIZAPP_MAX_UPLOAD_MB") or DEFAULT_MAX_UPLOAD_MB)
    redis_url = environ.get("QUIZAPP_REDIS_URL") or None
    smtp_user = environ.get("QUIZAPP_SMTP_USER") or None
    starttls = _flag(environ.get("QUIZAPP_SMTP_STARTTLS"), smtp_user is not None)
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(normalise_database_url(db_url)),
        "MAX_CONTENT_LENGTH": max_mb * 1024 * 1024,
        "QUIZAPP_SECURE_COOKIES": _flag(environ.get("QUIZAPP_SECURE_COOKIES"), False),
        "QUIZAPP_TRUST_PROXY": int(environ.get("QUIZAPP_TRUST_PROXY") or 0),
        "QUIZAPP_OPEN_REGISTRATION": _flag(environ.get("QUIZAPP_OPEN_REGISTRATION"), True),
        "QUIZAPP_REDIS_URL": redis_url,
        # Flask-Limiter (quizapp.throttle): shared counts in Redis when there is one; if Redis
        # goes away, each process counts in memory rather than failing the login.
        "RATELIMIT_ENABLED": _flag(environ.get("QUIZAPP_RATE_LIMITS"), True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": "quizapp",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "QUIZAPP_JOB_MODE": (environ.get("QUIZAPP_JOB_MODE") or "").strip().lower(),
        "QUIZAPP_BASE_URL": (environ.get("QUIZAPP_BASE_URL") or "").strip() or None,
        "QUIZAPP_SMTP_HOST": (environ.get("QUIZAPP_SMTP_HOST") or "").strip() or None,
        "QUIZAPP_SMTP_PORT": int(environ.get("QUIZAPP_SMTP_PORT") or (587 if starttls else 25)),
        "QUIZAPP_SMTP_USER": smtp_user,
        "QUIZAPP_SMTP_PASSWORD": environ.get("QUIZAPP_SMTP_PASSWORD") or None,
        "QUIZAPP_SMTP_STARTTLS": starttls,
        "QUIZAPP_MAIL_FROM": environ.get("QUIZAPP_MAIL_FROM") or "quizapp@localhost",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "quizapp_session",
        "WTF_CSRF_TIME_LIMIT": None,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
    }
