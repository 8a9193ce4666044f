from dbay_common.testing.contracts import DatabaseOnPort, DjangoServiceContract, SettingOnPort


class TestWalletServiceContract(DjangoServiceContract):
    service = "wallet-service"
    event_handlers = "wallet_service.ledger.events:HANDLERS"
    public_path = "/api/v1/wallet/"
    stores = {
        "postgres": DatabaseOnPort(),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/3"),
        "dogecoin": SettingOnPort("DOGECOIN_RPC_URL", "http://dbay:dbay@127.0.0.1:{port}/"),
    }
