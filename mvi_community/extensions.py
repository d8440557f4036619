"""Flask extensions, created unbound and bound in the factory (house rule 4)."""
from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from mvi_community.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def email_rate_key() -> str:
    """Rate-limit key for forms that name an account: the e-mail address posted."""
    return "email:" + (request.form.get("email") or "").strip().casefold()
