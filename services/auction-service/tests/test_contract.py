from dbay_common.testing.contracts import DatabaseOnPort, DjangoServiceContract, SettingOnPort


class TestAuctionServiceContract(DjangoServiceContract):
    service = "auction-service"
    event_handlers = "auction_service.auctions.events:HANDLERS"
    public_path = "/api/v1/auctions/"
    handled_event_types = frozenset(
        {
            "listing.published",
            "listing.updated",
            "listing.ended",
            "listing.withdrawn",
            "user.registered",
            "user.profile_updated",
            "user.suspended",
            "user.reinstated",
        }
    )
    stores = {
        "postgres": DatabaseOnPort(),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/2"),
    }
