from dbay_common.testing.contracts import DatabaseOnPort, DjangoServiceContract, SettingOnPort


class TestUserServiceContract(DjangoServiceContract):
    service = "user-service"
    event_handlers = "user_service.accounts.events:HANDLERS"
    public_path = "/api/v1/user/"
    stores = {
        "postgres": DatabaseOnPort(),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/4"),
    }
