"""messaging-service's MongoDB database and background processes, wired by dbay_common.mongo.service.

Collections (docs/messaging.md, "How it is stored"):

``conversations``  one per (buyer, seller, listing), ``_id`` derived from the three; read pointers;
                   outbox of ``conversation.read``.
``messages``       one per message, ``_id`` a time-ordered UUID; outbox of ``message.sent``.
``blocks``         ``_id`` ``<blocker>:<blocked>``.
``reports``        one per (reporter, message), ``_id`` derived from the two.
``listings``, ``members``  copies kept from listing-service and user-service events.
"""

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection
from pymongo.database import Database

from dbay_common.mongo import ensure_outbox_indexes
from dbay_common.mongo.service import LOCKS_COLLECTION, MongoService
from messaging_service.config import SERVICE, load_config

STORE = MongoService(
    service=SERVICE, load_config=load_config, outbox_collections=("messages", "conversations")
)

Db = Database[dict[str, Any]]

_INDEXED: set[tuple[str, str]] = set()


def ensure_indexes(database: Db) -> None:
    """Create the service's indexes once per process and database (idempotent on the server too)."""
    marker = (str(database.client.address), database.name)
    if marker in _INDEXED:
        return
    database["conversations"].create_index(
        [("participants", ASCENDING), ("activity", DESCENDING)], name="conversation_inbox"
    )
    database["messages"].create_index(
        [("conversation_id", ASCENDING), ("_id", DESCENDING)], name="message_thread"
    )
    database["blocks"].create_index([("blocker_id", ASCENDING), ("_id", ASCENDING)], name="block_list")
    database["reports"].create_index([("status", ASCENDING), ("_id", ASCENDING)], name="report_queue")
    for name in STORE.outbox_collections:
        ensure_outbox_indexes(database[name])
    _INDEXED.add(marker)


def locks(database: Db) -> Collection[dict[str, Any]]:
    """The document locks every update of an outbox collection holds (docs/flask-outbox.md)."""
    return database[LOCKS_COLLECTION]
