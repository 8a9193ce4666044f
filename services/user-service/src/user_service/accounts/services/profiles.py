"""The member's public profile."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from user_service.accounts.events import user_profile_updated_publish
from user_service.accounts.models import Profile
from user_service.accounts.policy import PROFILE_FIELDS, profile_changes_clean


@transaction.atomic
def profile_update(*, user_id: uuid.UUID, changes: Mapping[str, str | None]) -> Profile:
    """Apply ``changes`` to a subset of display_name, avatar_url, location and bio; ``None`` or ``""``
    clears a field.

    The values follow ``policy.profile_changes_clean`` (400 naming the first field refused; nothing is
    written then). Locks the profile row. Emits ``user.profile_updated`` (whole profile + changed field
    names) only when a value actually changed.
    """
    cleaned = profile_changes_clean(changes)
    profile = Profile.objects.select_for_update().select_related("user").get(user_id=user_id)
    changed = [name for name in PROFILE_FIELDS if name in cleaned and getattr(profile, name) != cleaned[name]]
    if not changed:
        return profile
    for name in changed:
        setattr(profile, name, cleaned[name])
    profile.updated_at = timezone.now()
    profile.save(update_fields=[*changed, "updated_at"])
    user_profile_updated_publish(profile, changed_fields=changed)
    return profile
