"""Events wallet-service consumes (the ones it publishes are built in `wallet_service.chain.events`).

`HANDLERS` maps an event's detail-type to the function that handles it; `manage.py consume_events`
reads it through settings.DBAY_EVENT_HANDLERS. Each handler calls one service function.
"""

from collections.abc import Callable

from dbay_common.events.envelope import Event

HANDLERS: dict[str, Callable[[Event], None]] = {}
