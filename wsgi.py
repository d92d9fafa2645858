"""gunicorn entry point: ``gunicorn wsgi:app`` (see gunicorn.conf.py and the Procfile).

A worker that starts while the database does not answer must not fail to boot: gunicorn stops
the whole server when a worker fails to boot ("Worker failed to boot" → HaltServer), so one
restarted worker during a database outage would take the web process down. Such a worker
starts without setting up, answers 503 (LINE redelivers), and sets up on the first request
after the database is back (bot.web.webhook.finish_setup).
"""
import logging

from sqlalchemy.exc import OperationalError

from bot import create_app


def build():
    try:
        return create_app()
    except OperationalError as exc:  # connection refused, timed out, dropped; file unreadable
        logging.getLogger("wsgi").error(
            "database unavailable at start-up (%s): answering 503 until it is back",
            exc.__class__.__name__)
        app = create_app({"SETUP_DATABASE": False})
        app.config["SETUP_PENDING"] = True
        return app


app = build()
