"""JSON log lines: one object per line, ids from the context, tracebacks in one field."""

from __future__ import annotations

import io
import json
import logging
import logging.config

from dbay_common.logging import (
    JsonFormatter,
    StdoutHandler,
    configure_logging,
    correlation_id_var,
    request_id_var,
)


def make_logger(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(service="wallet-service"))
    logger = logging.getLogger("test.json")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def test_record_is_one_json_line_with_context_ids() -> None:
    stream = io.StringIO()
    logger = make_logger(stream)
    request_token = request_id_var.set("req-1")
    correlation_token = correlation_id_var.set("corr-1")
    try:
        logger.info("paid %s koinu", 150, extra={"order_id": "o-1", "amount_koinu": 150})
    finally:
        request_id_var.reset(request_token)
        correlation_id_var.reset(correlation_token)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    document = json.loads(lines[0])
    assert set(document) == {
        "ts",
        "level",
        "logger",
        "message",
        "service",
        "request_id",
        "correlation_id",
        "order_id",
        "amount_koinu",
    }
    assert document["level"] == "INFO"
    assert document["logger"] == "test.json"
    assert document["message"] == "paid 150 koinu"
    assert document["service"] == "wallet-service"
    assert document["request_id"] == "req-1"
    assert document["correlation_id"] == "corr-1"
    assert document["order_id"] == "o-1"
    assert document["ts"].endswith("+00:00")


def test_exception_goes_into_one_string_field() -> None:
    stream = io.StringIO()
    logger = make_logger(stream)
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    document = json.loads(lines[0])
    assert document["level"] == "ERROR"
    assert document["request_id"] is None
    assert isinstance(document["exc"], str)
    assert document["exc"].startswith("Traceback (most recent call last):")
    assert document["exc"].endswith("ValueError: boom")


def test_unserialisable_extra_is_stringified() -> None:
    stream = io.StringIO()
    make_logger(stream).warning("x", extra={"thing": object()})
    assert json.loads(stream.getvalue())["thing"].startswith("<object object at")


def test_configure_logging_returns_dict_config_without_applying() -> None:
    root_handlers = list(logging.getLogger().handlers)
    config = configure_logging(service="search-gateway", level="debug", apply=False)
    assert logging.getLogger().handlers == root_handlers
    assert config["version"] == 1
    assert config["disable_existing_loggers"] is False
    assert config["root"] == {"handlers": ["stdout"], "level": "DEBUG"}
    assert config["formatters"]["json"] == {"()": JsonFormatter, "service": "search-gateway"}
    assert config["handlers"]["stdout"] == {"()": StdoutHandler, "formatter": "json"}


def test_configure_logging_applies(capsys: object) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        configure_logging(service="messaging-service")
        formatters = [handler.formatter for handler in root.handlers]
        assert len(formatters) == 1
        assert isinstance(formatters[0], JsonFormatter)
        assert formatters[0].service == "messaging-service"
        assert root.level == logging.INFO
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
