from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Transactional outbox and consumer inbox; add ``"dbay_common.django.outbox"`` to INSTALLED_APPS."""

    name = "dbay_common.django.outbox"
    label = "dbay_outbox"
    verbose_name = "dBay event outbox and inbox"
    default_auto_field = "django.db.models.BigAutoField"
