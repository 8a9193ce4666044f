"""The stored outcome of each Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """One claimed Idempotency-Key within its scope (principal, method, path, key).

    The unique constraint on the scope is what makes the claim safe under concurrency: of N identical
    requests racing, exactly one ``INSERT ... ON CONFLICT DO NOTHING`` inserts the row and runs the
    view; the others find the row and wait for (replay) its result.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    principal: models.CharField[str, str] = models.CharField(max_length=255)
    method: models.CharField[str, str] = models.CharField(max_length=10)
    path: models.TextField[str, str] = models.TextField()
    key: models.CharField[str, str] = models.CharField(max_length=255)
    request_fingerprint: models.CharField[str, str] = models.CharField(max_length=64)
    state: models.CharField[str, str] = models.CharField(
        max_length=16, choices=State.choices, default=State.IN_PROGRESS
    )
    response_status: models.PositiveSmallIntegerField[int | None, int | None] = (
        models.PositiveSmallIntegerField(null=True)
    )
    response_headers: models.JSONField[Any, Any] = models.JSONField(default=list)
    response_body: models.BinaryField[bytes | None, bytes | memoryview | None] = models.BinaryField(null=True)
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)
    locked_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)
    completed_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(null=True)

    class Meta:
        db_table = "dbay_idempotency_record"
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "method", "path", "key"], name="dbay_idempotency_scope_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(state="in_progress") | models.Q(response_status__isnull=False),
                name="dbay_idempotency_completed_has_status",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="dbay_idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}] by {self.principal}: {self.state}"
