"""MVI Community: the application factory."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(config: str | dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` is a config name (`development`, `testing`, `production`) or a
    dict of overrides on top of the environment's config class."""
    from config import get_config
    from mvi_community import cli
    from mvi_community.core.errors import register_error_handlers
    from mvi_community.core.i18n import select_locale, select_timezone
    from mvi_community.core.params import BoundedIntConverter
    from mvi_community.core.security import register_security_headers
    from mvi_community.core.templating import register_template_helpers
    from mvi_community.core.transaction import register_transaction_handling
    from mvi_community.extensions import babel, csrf, db, limiter, login_manager, migrate

    overrides: dict[str, Any] = {}
    name = None
    if isinstance(config, str):
        name = config
    elif isinstance(config, dict):
        overrides = dict(config)
        name = overrides.pop("ENV_NAME", None)
    config_class = get_config(name)
    config_class.validate()

    app = Flask(__name__, instance_relative_config=True, template_folder="../templates", static_folder="../static")
    app.config.from_object(config_class)
    app.config.update(overrides)
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)

    from mvi_community import accounts, api, core
    from mvi_community.core import models as _core_models, taxonomy as _taxonomy  # noqa: F401  (tables)
    from mvi_community import benchmark
    from mvi_community.benchmark import models as _benchmark_models  # noqa: F401  (tables)
    from mvi_community import expertpool
    from mvi_community.expertpool import models as _expertpool_models  # noqa: F401  (tables)
    from mvi_community import manifest
    from mvi_community.manifest import models as _manifest_models  # noqa: F401  (tables)
    from mvi_community import cases, communities
    from mvi_community.cases import models as _cases_models  # noqa: F401  (tables)
    from mvi_community.communities import models as _communities_models  # noqa: F401  (tables)
    from mvi_community import criteria
    from mvi_community.criteria import models as _criteria_models  # noqa: F401  (tables)
    from mvi_community import prize
    from mvi_community.prize import models as _prize_models  # noqa: F401  (tables)

    app.register_blueprint(core.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(benchmark.bp)
    app.register_blueprint(expertpool.bp)
    app.register_blueprint(manifest.bp)
    app.register_blueprint(communities.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(criteria.bp)
    app.register_blueprint(prize.bp)

    register_transaction_handling(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_template_helpers(app)
    cli.register(app)
    return app
