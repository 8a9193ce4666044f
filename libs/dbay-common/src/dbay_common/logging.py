"""JSON logs, one object per line, with the request and correlation ids of the current request.

Log shippers (and ``jq``) read one JSON object per line; a traceback spread over thirty lines of
plain text is thirty unrelated records to them. So every record becomes a single line with fixed
keys (``ts``, ``level``, ``logger``, ``message``, ``service``, ``request_id``, ``correlation_id``),
the traceback goes in the ``exc`` string field, and ``extra={...}`` fields are kept.

The ids live in context variables set by the request middleware (Django and Flask) and by event
consumers, so code deep inside a service logs them without passing them around.
"""

from __future__ import annotations

import json
import logging
import logging.config
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("dbay_request_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("dbay_correlation_id", default=None)

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON.

    Values that JSON cannot represent are rendered with ``str()`` rather than dropped or crashing the
    logging call: a log line must never be the thing that fails.
    """

    def __init__(self, service: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "request_id": request_id_var.get(),
            "correlation_id": correlation_id_var.get(),
        }
        if record.exc_info:
            document["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            document["exc"] = record.exc_text
        if record.stack_info:
            document["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in document and not key.startswith("_"):
                document[key] = value
        return json.dumps(document, default=str, ensure_ascii=False)


class StdoutHandler(logging.StreamHandler):
    """A stream handler that writes to whatever ``sys.stdout`` is *now*.

    A plain ``StreamHandler(sys.stdout)`` keeps the stream it saw at configuration time, which
    breaks when something (pytest's capture, a daemoniser) swaps ``sys.stdout`` afterwards.
    """

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    # ``stream`` is looked up on every write and flush; resolving it then (rather than swapping it
    # with ``setStream``, which flushes the old stream, possibly one pytest has already closed)
    # keeps logging working after any capture ends.
    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        """Ignored: the handler always writes to the current ``sys.stdout``."""


def configure_logging(*, service: str, level: str = "INFO", apply: bool = True) -> dict[str, Any]:
    """Return (and by default apply) a ``logging.config.dictConfig`` sending JSON lines to stdout.

    Django services put the returned dict in ``settings.LOGGING`` (``common_settings`` does it with
    ``apply=False``, since Django applies ``LOGGING`` itself during setup); Flask services and scripts
    call it with ``apply=True``. Framework loggers propagate to the root logger so everything ends up
    on the same JSON handler exactly once.
    """
    level = level.upper()
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "service": service}},
        "handlers": {"stdout": {"()": StdoutHandler, "formatter": "json"}},
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's own handlers would print plain-text tracebacks; send everything to root.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "werkzeug": {"handlers": [], "level": level, "propagate": True},
            "celery": {"handlers": [], "level": level, "propagate": True},
        },
    }
    if apply:
        logging.config.dictConfig(config)
    return config
