from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "wallet_service.ledger"
    label = "ledger"
    verbose_name = "Ledger"
