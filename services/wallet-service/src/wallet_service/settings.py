"""Settings of wallet-service: the shared dBay Django settings plus this service's own stores.

Every value comes from the environment (listed in .env.example). Development defaults point at
scripts/devstack; with DBAY_ENV=production a missing secret or URL stops the process at start.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings
from dbay_common.settings import dev_url, env_str

globals().update(
    common_settings(
        service="wallet-service",
        base_dir=Path(__file__).resolve().parent.parent,
        root_urlconf="wallet_service.urls",
        installed_apps=["wallet_service.ledger"],
        database_name="wallet",
        redis_db=3,
    )
)

DBAY_EVENT_HANDLERS = "wallet_service.ledger.events:HANDLERS"

# JSON-RPC endpoint of the Dogecoin node, credentials in the URL (http://user:password@host:port/).
DOGECOIN_RPC_URL = env_str("DOGECOIN_RPC_URL", dev_default=dev_url("dogecoin"))
