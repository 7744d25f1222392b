"""Extensions, created unbound here and bound to each app in ``create_app``."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from quizapp.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Keyed by the client's address (behind proxies, QUIZAPP_TRUST_PROXY makes it the real one);
# only the routes quizapp.throttle decorates are limited.
limiter = Limiter(key_func=get_remote_address)
