"""Client IP behind the gateway, failing closed without Redis, password rules, secrets at rest, events."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from dbay_common.events.schemas import registered_events
from user_service.accounts import crypto
from user_service.accounts.models import Session, User
from user_service.accounts.passwords import PredictablePasswordValidator
from user_service.accounts.throttling import client_ip

PASSWORD = "Vivid-Otter-Harbor-42"


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "trusted", "expected"),
    [
        ("203.0.113.5", "", ["127.0.0.1/32"], "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", ["127.0.0.1/32"], "203.0.113.5"),  # not from the gateway
        ("127.0.0.1", "198.51.100.1", ["127.0.0.1/32"], "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", ["127.0.0.1/32"], "198.51.100.1"),  # client-written left part
        ("10.0.0.7", "198.51.100.1, 10.0.0.3", ["10.0.0.0/8"], "198.51.100.1"),  # two proxies
        ("127.0.0.1", "", ["127.0.0.1/32"], "127.0.0.1"),
        ("127.0.0.1", "not-an-ip", ["127.0.0.1/32"], "127.0.0.1"),
        ("::1", "2001:db8::7", ["::1/128"], "2001:db8::7"),
        ("127.0.0.1", "198.51.100.1", [], "127.0.0.1"),  # production default: nobody trusted
    ],
)
def test_client_ip(settings, remote_addr, forwarded_for, trusted, expected):
    settings.TRUSTED_PROXY_CIDRS = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == expected


@pytest.mark.django_db
def test_login_fails_closed_when_the_limiter_store_is_down(api, make_user, settings, closed_port):
    user = make_user()
    settings.RATELIMIT_REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"

    response = api.post("/api/v1/user/auth/login", {"login": user.username, "password": PASSWORD})

    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "type": "api_error",
            "code": "rate_limiter_unavailable",
            "message": "Request limits cannot be checked right now; try again shortly.",
        }
    }
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "username", "email"),
    [
        ("Sunshine2023!", "ada", "ada@example.com"),
        ("L3tm31n!!!!!", "ada", "ada@example.com"),
        ("asdfghjkl;'1", "ada", "ada@example.com"),
        ("9876543210zz", "ada", "ada@example.com"),
        ("lovelace-1815", "lovelace", "ada@example.com"),
        ("ada.byron.1815", "countess", "ada.byron@example.com"),
    ],
)
def test_predictable_passwords(password, username, email):
    with pytest.raises(ValidationError) as raised:
        PredictablePasswordValidator().validate(password, User(username=username, email=email))

    assert raised.value.code == "password_predictable"


@pytest.mark.parametrize(
    "password", ["Vivid-Otter-Harbor-42", "correct horse battery staple", "Tr0ub4dor&3xyz", "q7#Lm2!vZp9w"]
)
def test_reasonable_passwords_pass(password):
    PredictablePasswordValidator().validate(password, User(username="ada", email="ada@example.com"))


def test_secrets_are_bound_to_their_row():
    sealed = crypto.encrypt(
        b"JBSWY3DPEHPK3PXP", purpose=crypto.PURPOSE_TOTP_SECRET, associated_data=b"user-1"
    )

    assert (
        crypto.decrypt(sealed, purpose=crypto.PURPOSE_TOTP_SECRET, associated_data=b"user-1")
        == b"JBSWY3DPEHPK3PXP"
    )
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(sealed, purpose=crypto.PURPOSE_TOTP_SECRET, associated_data=b"user-2")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(sealed, purpose=crypto.PURPOSE_SIGNING_KEY, associated_data=b"user-1")


def test_secret_key_rotation_keeps_totp_secrets_readable(settings):
    sealed = crypto.encrypt(b"secret", purpose=crypto.PURPOSE_TOTP_SECRET, associated_data=b"u")
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY = "a-brand-new-secret-key-that-is-long-enough-0123456789abcdef"
    settings.SECRET_KEY_FALLBACKS = [old_key]

    assert crypto.decrypt(sealed, purpose=crypto.PURPOSE_TOTP_SECRET, associated_data=b"u") == b"secret"


def test_published_events_are_registered_and_carry_no_secrets():
    events = {
        key: model
        for key, model in registered_events().items()
        if model.__module__ == "user_service.accounts.events"
    }

    assert sorted(events) == [
        ("session.revoked", 1),
        ("session.started", 1),
        ("user.email_verified", 1),
        ("user.profile_updated", 1),
        ("user.registered", 1),
        ("user.reinstated", 1),
        ("user.suspended", 1),
    ]
    forbidden = {"password", "token", "secret", "code", "hash"}
    for model in events.values():
        for field in model.model_fields:
            assert not any(word in field for word in forbidden), (model.__name__, field)
        assert model.model_config.get("extra") == "forbid"
