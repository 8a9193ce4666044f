"""Tables of the transactional outbox (events to publish) and inbox (events already handled)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxEvent(models.Model):
    """An event committed with the change that caused it, waiting for the relay to publish it.

    ``payload`` is the whole envelope (:meth:`Event.to_dict`), so the relay republishes exactly what
    the producer built. Rows are kept after publishing (``published_at`` set) for auditing; a periodic
    cleanup may delete old published rows.
    """

    event_id: models.UUIDField = models.UUIDField(unique=True)
    source: models.CharField = models.CharField(max_length=128)
    detail_type: models.CharField = models.CharField(max_length=128)
    payload: models.JSONField = models.JSONField()
    created_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    published_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    attempts: models.PositiveIntegerField = models.PositiveIntegerField(default=0)
    next_attempt_at: models.DateTimeField = models.DateTimeField(default=timezone.now)
    last_error: models.TextField = models.TextField(blank=True, default="")

    class Meta:
        db_table = "dbay_outbox_event"
        indexes = [
            # The relay's query: unpublished rows in created order. Partial, so it stays as small
            # as the backlog however many published rows the table keeps.
            models.Index(
                fields=["created_at", "id"],
                name="dbay_outbox_unpublished_idx",
                condition=Q(published_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.detail_type} {self.event_id}"


class InboxEvent(models.Model):
    """Proof that ``consumer`` handled ``event_id``, written in the same transaction as the effect."""

    consumer: models.CharField = models.CharField(max_length=128)
    event_id: models.UUIDField = models.UUIDField()
    handled_at: models.DateTimeField = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "dbay_inbox_event"
        constraints = [
            models.UniqueConstraint(fields=["consumer", "event_id"], name="dbay_inbox_consumer_event_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} {self.event_id}"
