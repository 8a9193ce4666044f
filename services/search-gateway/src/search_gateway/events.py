"""Events of search-gateway: the handlers of what it consumes (it publishes nothing yet).

search-gateway owns no MongoDB: its state is the Elasticsearch index, which is idempotent by
construction (a listing is indexed under its own id with the listing's version as an external
version, so a redelivered or older event cannot change it twice or backwards). Its worker therefore
needs no inbox. Should it ever publish, it needs a store for an outbox first (docs/flask-outbox.md).
"""

from dbay_common.mongo import EventSource
from dbay_common.transports.base import EventHandler
from search_gateway.config import SERVICE

EVENTS = EventSource(source="dbay.search", producer=SERVICE)

# detail-type -> handler; each parses the event's data and calls one function of services.py.
HANDLERS: dict[str, EventHandler] = {}
