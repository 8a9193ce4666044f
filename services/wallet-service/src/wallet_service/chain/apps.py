from importlib import import_module

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class ChainConfig(AppConfig):
    name = "wallet_service.chain"
    label = "chain"
    verbose_name = "Chain: addresses, deposits, withdrawals"

    def ready(self) -> None:
        # The app's events module registers the event schemas when it is imported.
        import_module(f"{self.name}.events")
        self._check_account_key()
        # The ledger shows deposits seen but not yet credited as a user's incoming balance; it does
        # not know the chain, so the chain tells it where the figure comes from.
        from wallet_service.chain.selectors import incoming_koinu_for_user
        from wallet_service.ledger.selectors import incoming_source_register

        incoming_source_register(incoming_koinu_for_user)

    @staticmethod
    def _check_account_key() -> None:
        """Fail at start, not at the first deposit request, when the account xpub is unusable
        (wrong network, a private key, wrong depth). The message never contains the key."""
        from wallet_service.chain.keys import KeyConfigurationError, account_public_key

        try:
            account_public_key()
        except KeyConfigurationError as error:
            raise ImproperlyConfigured(f"WALLET_ACCOUNT_XPUB: {error}") from None
