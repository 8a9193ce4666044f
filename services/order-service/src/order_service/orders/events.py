"""Events order-service publishes (typed payloads) and consumes (`HANDLERS`).

Publishing: each payload is a pydantic model registered with `@register_event("<entity>.<past_verb>", 1)`
(`extra="forbid"`), and each event is built in exactly one function here that the service functions
call inside their transaction, e.g.::

    def order_created_publish(order: Order) -> None:
        publish("order.created", OrderCreatedV1(...))

`dbay_common.django.events.publish` writes the outbox row in the caller's transaction (source
`dbay.order`, correlation and causation ids from the request or handled event) and relays it after
commit. `scripts/event_catalog.py --check` fails until docs/event-catalog.md has a section for it.

Consuming: `HANDLERS` maps a detail-type to a handler; `manage.py consume_events` runs each once per
event (inbox), and each handler parses the data it needs and calls one service function.
"""

from collections.abc import Callable

from dbay_common.events.envelope import Event

HANDLERS: dict[str, Callable[[Event], None]] = {}
