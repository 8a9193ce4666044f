from dbay_common.testing.contracts import DatabaseOnPort, DjangoServiceContract, SettingOnPort


class TestOrderServiceContract(DjangoServiceContract):
    service = "order-service"
    event_handlers = "order_service.orders.events:HANDLERS"
    public_path = "/api/v1/order/"
    stores = {
        "postgres": DatabaseOnPort(),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/5"),
    }
