"""Settings of wallet-service: the shared dBay Django settings plus this service's own stores.

Every value comes from the environment (listed in .env.example). Development defaults point at
scripts/devstack; with DBAY_ENV=production a missing secret or URL stops the process at start.
"""

from pathlib import Path

from dbay_common.django.conf import common_settings
from dbay_common.settings import dev_url, env_str
from wallet_service.chain.conf import chain_settings
from wallet_service.ledger.conf import ledger_settings

globals().update(
    common_settings(
        service="wallet-service",
        base_dir=Path(__file__).resolve().parent.parent,
        root_urlconf="wallet_service.urls",
        api_prefix="api/v1/wallet/",
        installed_apps=["wallet_service.ledger", "wallet_service.chain"],
        database_name="wallet",
        redis_db=3,
    )
)

DBAY_EVENT_HANDLERS = "wallet_service.ledger.events:HANDLERS"

# JSON-RPC endpoint of the Dogecoin node, credentials in the URL (http://user:password@host:port/).
DOGECOIN_RPC_URL = env_str("DOGECOIN_RPC_URL", dev_default=dev_url("dogecoin"))

# The chain side: network, account xpub, confirmations, withdrawal limits (wallet_service.chain.conf).
# The signer's hot key is deliberately not a setting: only `manage.py run_signer` reads it.
globals().update(chain_settings())

# The ledger: the service-token audience of the internal API, the expiry sweep's beat entry and an
# OpenAPI enum name (wallet_service.ledger.conf). Merges into those settings rather than replacing them.
globals().update(
    ledger_settings(
        beat_schedule=globals().get("CELERY_BEAT_SCHEDULE"),
        spectacular_settings=globals().get("SPECTACULAR_SETTINGS"),
    )
)
