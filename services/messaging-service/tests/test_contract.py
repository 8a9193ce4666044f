from dbay_common.testing.contracts import (
    FlaskMongoServiceContract,
    FlaskServiceContract,
    FlaskWorkerContract,
    SettingOnPort,
)
from messaging_service import worker


class TestMessagingServiceContract(FlaskServiceContract, FlaskWorkerContract, FlaskMongoServiceContract):
    package = "messaging_service"
    service = "messaging-service"
    worker = worker
    public_path = "/api/v1/messaging/"
    handled_event_types = frozenset(
        {
            "listing.created",
            "listing.updated",
            "listing.published",
            "listing.ended",
            "listing.withdrawn",
            "user.registered",
            "user.profile_updated",
            "user.suspended",
            "user.reinstated",
            "message.sent",
        }
    )
    stores = {
        "mongodb": SettingOnPort("MONGODB_URI", "mongodb://127.0.0.1:{port}/messaging"),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/8"),
    }
