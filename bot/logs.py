"""Logging: plain lines by default, one JSON object per line with ``LOG_FORMAT=json``.

A record may carry ``extra={"fields": {...}}`` (each webhook event does: event_id, chat, type,
outcome, ms); the JSON form puts those fields at the top level, the plain form has them in
its message already."""
from __future__ import annotations

import datetime as dt
import json
import logging

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {"time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
               .isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            doc.update(fields)
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def configure_logging(fmt: str | None) -> None:
    """Set the root handler's format once (gunicorn workers, the clock, flask commands)."""
    root = logging.getLogger()
    formatter = JsonFormatter() if (fmt or "").lower() == "json" else logging.Formatter(PLAIN)
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=PLAIN)
    for handler in root.handlers:
        handler.setFormatter(formatter)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
