"""notification-service's MongoDB database and background processes, wired by dbay_common.mongo.service.

``outbox_collections`` lists every collection whose documents carry events (the relay scans them);
each domain issue adds its collections there.
"""

from dbay_common.mongo.service import MongoService
from notification_service.config import SERVICE, load_config

STORE = MongoService(service=SERVICE, load_config=load_config, outbox_collections=())
