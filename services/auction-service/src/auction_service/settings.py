"""Settings of auction-service: the shared ones (dbay_common.django.conf), then its own stores.

Every value comes from the environment (.env.example); production stops at start on a missing one.
"""

from auction_service.auctions.proxy import DEFAULT_INCREMENTS, parse_increments
from dbay_common.django.conf import common_settings
from dbay_common.settings import InvalidSetting, env_int, env_str, is_production

_COMMON = common_settings(
    __name__,
    api_prefix="api/v1/auctions/",
    installed_apps=["auction_service.auctions"],
    database_name="auction",
    redis_db=2,
)
globals().update(_COMMON)


# The OpenAPI names of the auction enums.
SPECTACULAR_SETTINGS = {
    **_COMMON["SPECTACULAR_SETTINGS"],
    "ENUM_NAME_OVERRIDES": {
        **_COMMON["SPECTACULAR_SETTINGS"].get("ENUM_NAME_OVERRIDES", {}),
        "AuctionStatusEnum": "auction_service.auctions.apis.AUCTION_STATUSES",
        "AuctionMyStatusEnum": "auction_service.auctions.apis.MY_STATUSES",
        "AuctionBidOutcomeEnum": "auction_service.auctions.apis.OUTCOMES",
    },
}

# Peers (internal APIs, service token signed with our key; its public half is in the issuer's JWKS).
WALLET_SERVICE_URL = env_str("WALLET_SERVICE_URL", dev_default="http://127.0.0.1:8003")
LISTING_SERVICE_URL = env_str("LISTING_SERVICE_URL", dev_default="http://127.0.0.1:8001")
SERVICE_TOKEN_PRIVATE_KEY = env_str("SERVICE_TOKEN_PRIVATE_KEY", dev_default="")
SERVICE_TOKEN_KID = env_str("SERVICE_TOKEN_KID", default="auction-service")
INTERNAL_HTTP_TIMEOUT_S = float(env_str("INTERNAL_HTTP_TIMEOUT_S", default="5"))

# Bidding rules (docs/auctions.md).
_increments = env_str("AUCTION_INCREMENTS", default="")
AUCTION_INCREMENTS = parse_increments(_increments) if _increments else DEFAULT_INCREMENTS
AUCTION_SOFT_CLOSE_MINUTES = env_int("AUCTION_SOFT_CLOSE_MINUTES", default=2)
AUCTION_RETRACT_WITHIN_S = env_int("AUCTION_RETRACT_WITHIN_S", default=3600)
AUCTION_RETRACT_MIN_REMAINING_S = env_int("AUCTION_RETRACT_MIN_REMAINING_S", default=12 * 3600)
# A hold recorded this long ago whose bid never committed is an orphan: the sweep voids it.
AUCTION_ORPHAN_HOLD_AFTER_S = env_int("AUCTION_ORPHAN_HOLD_AFTER_S", default=60)
AUCTION_CLOSER_POLL_MS = env_int("AUCTION_CLOSER_POLL_MS", default=250)
AUCTION_LIVE_TTL_S = env_int("AUCTION_LIVE_TTL_S", default=3600)

AUCTION_TEST_PAUSE_FILE = env_str("AUCTION_TEST_PAUSE_FILE", default="")
if AUCTION_TEST_PAUSE_FILE and is_production():
    raise InvalidSetting("AUCTION_TEST_PAUSE_FILE is a test hook and is refused in production")
