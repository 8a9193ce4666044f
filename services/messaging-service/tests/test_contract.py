from dbay_common.testing.contracts import FlaskServiceContract, SettingOnPort


class TestMessagingServiceContract(FlaskServiceContract):
    service = "messaging-service"
    public_path = "/api/v1/messaging/"
    stores = {
        "mongodb": SettingOnPort("MONGODB_URI", "mongodb://127.0.0.1:{port}/messaging"),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/8"),
    }
