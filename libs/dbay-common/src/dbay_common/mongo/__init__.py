"""The MongoDB-wire store (FerretDB 1.24 locally): document locks, the outbox and the inbox.

See ``docs/flask-outbox.md`` for why each guarantee holds without multi-document transactions.
"""

from dbay_common.mongo.inbox import (
    MongoInbox,
    inbox_document_id,
    inbox_insert_one,
    inbox_key,
    inbox_update_one,
)
from dbay_common.mongo.locks import DocumentLock, LockTimeoutError, document_lock
from dbay_common.mongo.outbox import (
    EventSource,
    ensure_outbox_indexes,
    outbox_fields,
    outbox_insert_one,
    outbox_push,
    outbox_relay,
    outbox_retry_delay_s,
    outbox_update_one,
)
from dbay_common.mongo.relay import RelayKick, run_relay

__all__ = [
    "DocumentLock",
    "EventSource",
    "LockTimeoutError",
    "MongoInbox",
    "RelayKick",
    "document_lock",
    "ensure_outbox_indexes",
    "inbox_document_id",
    "inbox_insert_one",
    "inbox_key",
    "inbox_update_one",
    "outbox_fields",
    "outbox_insert_one",
    "outbox_push",
    "outbox_relay",
    "outbox_retry_delay_s",
    "outbox_update_one",
    "run_relay",
]
