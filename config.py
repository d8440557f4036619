"""Configuration, read from environment variables.

Every setting can be given in the environment (or a `.env` file in development). The factory
picks a class by `MVI_ENV` (`development`, `testing`, `production`; default `development`).
Outside development `SECRET_KEY` is required and the app refuses to start without it.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class ConfigError(RuntimeError):
    """A required setting is missing or invalid."""


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'mvi_community.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Sessions and cookies (DESIGN.md §8)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    # i18n (Dutch first, English second)
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")

    # Rate limiting (memory in development and tests, Redis in production)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis is briefly unreachable, limit in memory rather than fail the request
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "3 per minute;10 per hour")
    ACCOUNT_REQUEST_RATE_LIMIT = os.environ.get("ACCOUNT_REQUEST_RATE_LIMIT", "10 per hour")

    # Mail: messages go into the outbox table; delivery over SMTP when MAIL_SERVER is set
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "MVI Community <noreply@mvi-community.nl>")
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 5)
    # Deliver right after the request that queued a message (development convenience)
    MAIL_SEND_IMMEDIATELY = _bool("MAIL_SEND_IMMEDIATELY", False)
    # The coordinator's outbox page (development and acceptance environments)
    OUTBOX_PAGE_ENABLED = _bool("OUTBOX_PAGE_ENABLED", False)

    # Uploads: outside static/, random names, served through a permission-checked route
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 10) * 1024 * 1024

    # Public base URL, used in e-mailed links
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Token lifetimes
    INVITATION_DAYS = _int("INVITATION_DAYS", 14)
    PASSWORD_RESET_HOURS = _int("PASSWORD_RESET_HOURS", 2)

    # In-process scheduler (development only; production runs `flask scheduler run`)
    SCHEDULER_IN_PROCESS = _bool("SCHEDULER_IN_PROCESS", False)

    HSTS = False

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
                "string (e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
            )


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    OUTBOX_PAGE_ENABLED = _bool("OUTBOX_PAGE_ENABLED", True)
    MAIL_SEND_IMMEDIATELY = _bool("MAIL_SEND_IMMEDIATELY", True)
    SCHEDULER_IN_PROCESS = _bool("SCHEDULER_IN_PROCESS", True)

    @classmethod
    def validate(cls) -> None:
        return None


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    OUTBOX_PAGE_ENABLED = True
    MAIL_SEND_IMMEDIATELY = False
    SCHEDULER_IN_PROCESS = False
    RATELIMIT_STORAGE_URI = "memory://"
    BASE_URL = "http://localhost"
    # Real hashing with a lower work factor, so that the suite stays fast; never in production.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

    @classmethod
    def validate(cls) -> None:
        return None


class ProductionConfig(Config):
    ENV_NAME = "production"
    HSTS = True


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("MVI_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"Unknown MVI_ENV {name!r}; use one of {', '.join(CONFIGS)}.") from None
