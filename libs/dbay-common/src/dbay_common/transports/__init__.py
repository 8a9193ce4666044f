"""Event bus transports behind one interface; pick one with :func:`build_publisher_from_env`."""

from dbay_common.transports.base import (
    EventConsumer,
    EventHandler,
    EventPublisher,
    EventPublishError,
    build_consumer_from_env,
    build_publisher_from_env,
)

__all__ = [
    "EventConsumer",
    "EventHandler",
    "EventPublishError",
    "EventPublisher",
    "build_consumer_from_env",
    "build_publisher_from_env",
]
