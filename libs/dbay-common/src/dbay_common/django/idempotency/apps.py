from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    """Stores the first response to each Idempotency-Key so retries replay it instead of re-running."""

    name = "dbay_common.django.idempotency"
    label = "dbay_idempotency"
    verbose_name = "dBay idempotency keys"
    default_auto_field = "django.db.models.BigAutoField"
