"""The service's MongoDB database and the collections the shared outbox and inbox use.

``OUTBOX_COLLECTIONS`` lists every collection whose documents carry events (the relay scans them);
each domain issue adds its collections there. One client per process and URI (pymongo pools).
"""

import functools
from typing import Any

from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database

#: Collections whose documents embed an outbox (``dbay_common.mongo.outbox``).
OUTBOX_COLLECTIONS: tuple[str, ...] = ()
LOCKS_COLLECTION = "document_locks"
INBOX_COLLECTION = "inbox"
IDEMPOTENCY_COLLECTION = "idempotency_records"


@functools.cache
def _client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)


def database(uri: str) -> Database[dict[str, Any]]:
    """The database named by ``uri``'s path (``MONGODB_URI``)."""
    client = _client(uri)
    return client.get_default_database()


def locks(uri: str) -> Collection[dict[str, Any]]:
    """The document locks every locked write of this service uses (``dbay_common.mongo.locks``)."""
    return database(uri)[LOCKS_COLLECTION]
