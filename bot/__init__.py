"""น้องพัฒน์: the Flask application factory (flaskr style)."""
from __future__ import annotations

import logging
import os

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")  # never download a corpus at run time
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import config


@dataclass
class Services:
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]   # reads only: never takes SQLite's write lock
    line: "Line"  # noqa: F821
    bot: "Bot"  # noqa: F821
    spool: "Spool" = None  # noqa: F821  events kept on disk while the database refuses
    drainer: "Drainer" = None  # noqa: F821  applies them when it is back


def create_app(test_config: dict | None = None) -> Flask:
    from bot import cli
    from bot.web import api, dashboard, webhook
    from bot.db import ensure_database, make_engine, make_read_sessionmaker, make_sessionmaker
    from bot.line.client import Line
    from bot.service import Bot, database_down
    from bot.timeutil import clock_from_env

    app = Flask(__name__, instance_path=str(config.ROOT / "instance"))
    app.config.update(config.from_env())
    app.config["CLOCK"] = clock_from_env(os.environ.get("BOT_TODAY"))
    if test_config:
        app.config.update(test_config)
    from bot.logs import configure_logging
    configure_logging(app.config.get("LOG_FORMAT"))

    engine = make_engine(app.config["DATABASE_URL"])
    if app.config.get("SETUP_DATABASE", True):
        ensure_database(engine, app.config["PLAN_FILE"])
    sessions = make_sessionmaker(engine)
    line = Line(app.config["LINE_API_BASE_URL"], app.config["LINE_CHANNEL_ACCESS_TOKEN"],
                data_base_url=app.config["LINE_API_DATA_BASE_URL"])
    read_sessions = make_read_sessionmaker(engine)
    bot = Bot(sessions, line, app.config["CLOCK"], app.config["ADMIN_LINE_USER_IDS"],
              read_sessions)
    from bot.spool import Drainer, Spool
    from bot.web.webhook import try_setup
    spool = Spool(app.config["SPOOL_DIR"])
    drainer = Drainer(spool, lambda event: bot.handle_event(event, late=True),
                      ready=lambda: try_setup(app), transient=database_down)
    app.extensions["nongpat"] = Services(engine, sessions, read_sessions, line, bot, spool,
                                         drainer)
    if app.config.get("SETUP_DATABASE", True):
        bot.warm()
    if spool.pending():  # events kept by an earlier process (or another worker)
        drainer.wake()

    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:  # behind a proxy: the client's address and scheme from its X-Forwarded-* headers
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.register_blueprint(webhook.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(dashboard.bp)
    cli.init_app(app)
    return app
