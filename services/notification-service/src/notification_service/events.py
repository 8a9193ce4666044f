"""Events of notification-service: payloads it publishes (``EVENTS``), ``HANDLERS`` of what it consumes.

The pattern (outbox inside the document, inbox-guarded handler writes) is docs/adding-a-service.md,
"Flask: the layout", with the reference slice in libs/dbay-common/tests/flask_outbox_app/.
"""

from dbay_common.mongo import EventSource
from dbay_common.transports.base import EventHandler
from notification_service.config import SERVICE

EVENTS = EventSource(source="dbay.notification", producer=SERVICE)

# detail-type -> handler.
HANDLERS: dict[str, EventHandler] = {}
