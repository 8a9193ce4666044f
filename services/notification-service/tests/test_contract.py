from dbay_common.testing.contracts import (
    FlaskMongoServiceContract,
    FlaskServiceContract,
    FlaskWorkerContract,
    SettingOnPort,
)
from notification_service import worker


class TestNotificationServiceContract(FlaskServiceContract, FlaskWorkerContract, FlaskMongoServiceContract):
    package = "notification_service"
    service = "notification-service"
    worker = worker
    public_path = "/api/v1/notifications/"
    stores = {
        "mongodb": SettingOnPort("MONGODB_URI", "mongodb://127.0.0.1:{port}/notification"),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/6"),
    }
