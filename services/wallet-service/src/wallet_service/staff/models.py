"""The staff audit log: every action staff take through the wallet's operations API, append-only.

Rows are written only by :mod:`wallet_service.staff.services`, in the same transaction as the action
itself (an action without its record, or a record without its action, cannot exist). The database
refuses UPDATE and DELETE (trigger, migration 0002), and the runtime role holds only SELECT and
INSERT on it (``manage.py db_roles``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone


class StaffAction(models.Model):
    """Who did what to which object, when, and why."""

    class Action(models.TextChoices):
        WITHDRAWAL_APPROVE = "withdrawal_approve"
        WITHDRAWAL_REJECT = "withdrawal_reject"
        ACCOUNT_UNFREEZE = "account_unfreeze"

    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    staff_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    action: models.CharField[str, str] = models.CharField(max_length=40, choices=Action.choices)
    #: ``withdrawal`` or ``account`` (a user's wallet, by user id).
    target_type: models.CharField[str, str] = models.CharField(max_length=20)
    target_id: models.CharField[str, str] = models.CharField(max_length=64)
    reason: models.TextField[str, str] = models.TextField(blank=True, default="")
    #: What the target looked like before and after (statuses, amounts), for the reader of the log.
    detail: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(default=dict)
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="staff_action_recent_idx"),
            models.Index(fields=["target_type", "target_id"], name="staff_action_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.staff_id} {self.action} {self.target_id}"
