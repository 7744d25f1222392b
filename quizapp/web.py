"""Wiring of extensions, blueprints, security headers and error pages onto an app."""

from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp import humanize
from quizapp.extensions import csrf, db, limiter, login_manager, migrate
from quizapp.paths import migrations_dir

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("QUIZAPP_SECURE_COOKIES")) or _is_secure(request)


def _is_secure(req: Request) -> bool:
    try:
        return req.is_secure
    except RuntimeError:  # outside a request
        return False


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if _is_secure(request):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_web(app: Flask) -> None:
    """Bind extensions and register every blueprint, CLI group and handler."""
    proxies = int(app.config.get("QUIZAPP_TRUST_PROXY", 0))
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )
    app.session_interface = RequestAwareSessionInterface()

    # Register every table on the metadata.
    from quizapp import models  # noqa: F401
    from quizapp.classmodel import models as class_models  # noqa: F401
    from quizapp.courses import models as course_models  # noqa: F401
    from quizapp.instructor import models as instructor_models  # noqa: F401
    from quizapp.learners import models as learner_models  # noqa: F401
    from quizapp.quizzes import models as quiz_models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from quizapp.account import bp as account_bp
    from quizapp.admin import bp as admin_bp
    from quizapp.auth import bp as auth_bp
    from quizapp.courses.routes import bp as courses_bp
    from quizapp.editor import bp as editor_bp
    from quizapp.errors import bp as errors_bp
    from quizapp.instructor import bp as instructor_bp
    from quizapp.main import bp as main_bp
    from quizapp.media import bp as media_bp
    from quizapp.media.routes import rich
    from quizapp.quizzes import bp as quizzes_bp
    from quizapp.study import bp as study_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(study_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(errors_bp)
    app.register_blueprint(instructor_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(quizzes_bp)
    app.add_template_filter(rich, "rich")
    for formatter in (
        humanize.plural,
        humanize.percent,
        humanize.interval,
        humanize.duration,
        humanize.clock,
        humanize.localtime,
    ):
        app.add_template_filter(formatter)

    from quizapp.cli import register_cli

    register_cli(app)

    from quizapp.jobs import init_jobs

    init_jobs(app)
    app.after_request(_security_headers)

    from quizapp.auth.permissions import inject_roles

    app.context_processor(inject_roles)
