from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class ChainConfig(AppConfig):
    name = "wallet_service.chain"
    label = "chain"
    verbose_name = "Chain: addresses, deposits, withdrawals"

    def ready(self) -> None:
        # Fail at start, not at the first deposit request, when the account xpub is unusable
        # (wrong network, a private key, wrong depth). The message never contains the key.
        from wallet_service.chain import events  # noqa: F401 - registers the event schemas
        from wallet_service.chain.keys import KeyConfigurationError, account_public_key

        try:
            account_public_key()
        except KeyConfigurationError as error:
            raise ImproperlyConfigured(f"WALLET_ACCOUNT_XPUB: {error}") from None
