"""Operator commands and periodic clean-up: staff role, purge of ended sessions and old challenges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from user_service.accounts import keys, services
from user_service.accounts.models import LoginChallenge, RefreshToken, Session, User
from user_service.accounts.tasks import purge_auth_records_task
from user_service.celery import app as celery_app
from user_service.schedules import AUTH_PURGE_TASK_NAME

pytestmark = pytest.mark.django_db


def test_set_staff_grants_and_revokes_the_role(api, make_user, sign_in, capsys):
    user = make_user()

    call_command("set_staff", user.username.upper())
    granted = sign_in(user)
    call_command("set_staff", user.username, "--revoke")

    assert granted.claims["roles"] == ["buyer", "seller", "staff"]
    assert User.objects.get(pk=user.pk).is_staff is False
    assert f"{user.username} is now staff" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("set_staff", "nobody")


def test_purge_deletes_long_ended_sessions_and_old_challenges_only(make_user, sign_in):
    user = make_user()
    live, old_revoked, old_expired, recent_revoked = (sign_in(user) for _ in range(4))
    long_ago = timezone.now() - timedelta(days=31)
    Session.objects.filter(pk=old_revoked.claims["sid"]).update(
        revoked_at=long_ago, revoke_reason="signed_out"
    )
    Session.objects.filter(pk=old_expired.claims["sid"]).update(expires_at=long_ago)
    Session.objects.filter(pk=recent_revoked.claims["sid"]).update(
        revoked_at=timezone.now(), revoke_reason="signed_out"
    )
    LoginChallenge.objects.create(
        user=user, token_hash="a" * 64, created_at=long_ago, expires_at=long_ago, auth_time=long_ago
    )
    LoginChallenge.objects.create(
        user=user, token_hash="b" * 64, expires_at=timezone.now(), auth_time=timezone.now()
    )

    purged = purge_auth_records_task()

    assert purged == 3  # two sessions (and their refresh tokens), one challenge
    assert set(Session.objects.values_list("id", flat=True).order_by()) == {
        Session.objects.get(pk=live.claims["sid"]).id,
        Session.objects.get(pk=recent_revoked.claims["sid"]).id,
    }
    assert RefreshToken.objects.count() == 2
    assert list(LoginChallenge.objects.values_list("token_hash", flat=True)) == ["b" * 64]


def test_purge_runs_periodically():
    entry = celery_app.conf.beat_schedule[AUTH_PURGE_TASK_NAME]

    assert entry["task"] == AUTH_PURGE_TASK_NAME
    assert entry["schedule"] == 6 * 3600


def test_signing_key_ensure_creates_one_key_and_reuses_it():
    first = services.signing_key_ensure()
    again = services.signing_key_ensure()

    assert first.pk == again.pk
    keys.reset_key_cache()
    assert keys.current_keyset().signing_kid == first.kid
