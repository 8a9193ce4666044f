from dbay_common.testing.contracts import DatabaseOnPort, DjangoServiceContract, SettingOnPort


class TestListingServiceContract(DjangoServiceContract):
    service = "listing-service"
    event_handlers = "listing_service.listings.events:HANDLERS"
    public_path = "/api/v1/listings/"
    handled_event_types = frozenset(
        {
            "user.registered",
            "user.profile_updated",
            "user.suspended",
            "user.reinstated",
            "bid.placed",
            "auction.extended",
            "auction.closed",
            "auction.ended_unsold",
        }
    )
    stores = {
        "postgres": DatabaseOnPort(),
        "memcached": SettingOnPort("MEMCACHED_ADDRESS", "127.0.0.1:{port}"),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/1"),
    }
