"""Job functions by name, and the runner that makes each run one unit of work."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context

from quizapp.db import writer
from quizapp.extensions import db

JobArg = int | str
JobArgs = tuple[JobArg, ...]
JobFunction = TypeVar("JobFunction", bound=Callable[..., Any])

_REGISTRY: dict[str, Callable[..., Any]] = {}


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register ``fn(*args)`` as the job called ``name`` (args: ints and strings only)."""

    def register(fn: JobFunction) -> JobFunction:
        known = _REGISTRY.get(name)
        # Importing a module twice (tests, reloads) registers the same function again: fine.
        if known is not None and _qualified(known) != _qualified(fn):
            raise ValueError(f"job {name!r} is already registered by {_qualified(known)}")
        _REGISTRY[name] = fn
        return fn

    return register


def _qualified(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def check_job(name: str, args: tuple[Any, ...]) -> JobArgs:
    """Return ``args`` if ``name`` is a job and every argument survives a trip through JSON."""
    if name not in _REGISTRY:
        raise LookupError(f"no job is registered as {name!r}")
    for arg in args:
        # bool is an int, but JSON would hand the job true/false back: keep the types exact.
        if isinstance(arg, bool) or not isinstance(arg, int | str):
            raise TypeError(f"job {name!r}: arguments must be ints or strings, not {arg!r}")
    return args


def run_unit(app: Flask, name: str, args: JobArgs) -> None:
    """Run one job in a fresh app context: commit if it returns, roll back if it raises."""
    fn = _REGISTRY[name]
    # A new app context is a new session scope, apart from whatever session enqueued the job.
    with app.app_context(), writer():
        try:
            fn(*args)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def run(name: str, *args: JobArg) -> None:
    """Run a job in an RQ worker (the function RQ jobs name, so it must stay importable).

    ``flask --app quizapp worker`` forks each job from a process already inside the app's
    context; any other RQ worker gets an app of its own, made once per process.
    """
    app = current_app._get_current_object() if has_app_context() else _standalone_app()  # type: ignore[attr-defined]
    run_unit(app, name, check_job(name, args))


@functools.cache
def _standalone_app() -> Flask:
    from quizapp import create_app

    return create_app()
