"""Sign-in throttling (issue 8, item 3): failures slow down the (account, source) they come from with
growing delays, unseen sources together hit a per-account ceiling, and the owner on a device or
network the account has seen is never slowed by an attacker elsewhere. The owner is mailed once."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis
from rest_framework.test import APIClient

from user_service.accounts.models import Session

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/user/auth/login"
PASSWORD = "Vivid-Otter-Harbor-42"
ATTACKER_IP = "203.0.113.66"
OWNER_IP = "198.51.100.7"


def attempt(client: APIClient, user: Any, *, ip: str, password: str = "Wrong-Pass-19") -> Any:
    return client.post(LOGIN, {"login": user.username, "password": password}, HTTP_X_FORWARDED_FOR=ip)


@pytest.fixture
def skip_waits(redis_url: str, redis_key_prefix: str) -> Any:
    """Let every delay imposed so far run out (the failure counts stay), instead of sleeping."""

    def run() -> None:
        client = redis.Redis.from_url(redis_url)
        try:
            for key in client.scan_iter(f"{redis_key_prefix}signin:*"):
                if client.type(key) == b"hash":
                    client.hdel(key, "n")
        finally:
            client.close()

    return run


def test_delays_grow_and_retry_after_is_exact(api, make_user, skip_waits):
    user = make_user()
    first_five = [attempt(api, user, ip=ATTACKER_IP).status_code for _ in range(5)]

    waits = []
    for _ in range(4):
        refused = attempt(api, user, ip=ATTACKER_IP, password=PASSWORD)  # even the right password waits
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        skip_waits()
        assert attempt(api, user, ip=ATTACKER_IP).status_code == 401

    assert first_five == [401] * 5
    assert waits == [2, 4, 8, 16]
    assert Session.objects.count() == 0


def test_the_wait_is_real_time_and_the_right_password_works_after_it(api, make_user):
    user = make_user()
    for _ in range(5):
        attempt(api, user, ip=ATTACKER_IP)

    refused = attempt(api, user, ip=ATTACKER_IP, password=PASSWORD)
    time.sleep(int(refused["Retry-After"]))
    after = attempt(api, user, ip=ATTACKER_IP, password=PASSWORD)

    assert (refused.status_code, refused["Retry-After"]) == (429, "2")
    assert after.status_code == 200


def test_delays_are_capped(api, make_user, settings, skip_waits):
    settings.SIGN_IN_THROTTLE_MAX_DELAY_S = 10
    user = make_user()
    for _ in range(5):
        attempt(api, user, ip=ATTACKER_IP)
    waits = []
    for _ in range(5):
        waits.append(int(attempt(api, user, ip=ATTACKER_IP)["Retry-After"]))
        skip_waits()
        attempt(api, user, ip=ATTACKER_IP)

    assert waits == [2, 4, 8, 10, 10]


def test_an_attacker_on_one_ip_cannot_lock_out_the_owner_on_a_known_ip(make_user):
    user = make_user()
    owner, attacker = APIClient(), APIClient()
    assert attempt(owner, user, ip=OWNER_IP, password=PASSWORD).status_code == 200
    owner.cookies.clear()  # no device cookie: only the network is known

    attacks = [attempt(attacker, user, ip=ATTACKER_IP).status_code for _ in range(8)]
    owner_signs_in = attempt(owner, user, ip=OWNER_IP, password=PASSWORD)

    assert attacks == [401] * 5 + [429] * 3
    assert owner_signs_in.status_code == 200


def test_many_ips_are_slowed_per_account_but_not_the_owners_device_or_network(make_user, settings):
    settings.SIGN_IN_THROTTLE_ACCOUNT_FREE_FAILURES = 6
    user = make_user()
    owner_device, owner_network, attacker = APIClient(), APIClient(), APIClient()
    assert attempt(owner_device, user, ip="192.0.2.10", password=PASSWORD).status_code == 200
    assert attempt(owner_network, user, ip=OWNER_IP, password=PASSWORD).status_code == 200
    owner_network.cookies.clear()

    spread = [attempt(attacker, user, ip=f"203.0.113.{index}").status_code for index in range(1, 9)]
    unseen_network = attempt(APIClient(), user, ip="203.0.113.200", password=PASSWORD)

    assert spread == [401] * 6 + [429] * 2  # one failure per IP: the account's ceiling slows them
    assert (unseen_network.status_code, unseen_network["Retry-After"]) == (429, "2")
    # The device cookie vouches for the owner's browser even on a network never seen before.
    assert attempt(owner_device, user, ip="203.0.113.201", password=PASSWORD).status_code == 200
    assert attempt(owner_network, user, ip=OWNER_IP, password=PASSWORD).status_code == 200


def test_a_forged_or_other_accounts_device_cookie_counts_for_nothing(make_user, settings):
    settings.SIGN_IN_THROTTLE_ACCOUNT_FREE_FAILURES = 1
    victim, other = make_user(), make_user()
    browser = APIClient()
    assert attempt(browser, other, ip="192.0.2.20", password=PASSWORD).status_code == 200
    attempt(APIClient(), victim, ip=ATTACKER_IP)  # the victim's ceiling is reached

    with_other_accounts_cookie = attempt(browser, victim, ip="203.0.113.9", password=PASSWORD)
    browser.cookies["dbay_device"] = "forged.value.here"
    with_forged_cookie = attempt(browser, victim, ip="203.0.113.10", password=PASSWORD)

    assert with_other_accounts_cookie.status_code == 429
    assert with_forged_cookie.status_code == 429


def test_the_known_device_cookie(api, make_user, settings):
    user = make_user()

    response = attempt(api, user, ip=OWNER_IP, password=PASSWORD)

    cookie = response.cookies["dbay_device"]
    assert (cookie["httponly"], cookie["samesite"], cookie["path"]) == (True, "Strict", "/api/v1/user/auth/")
    assert cookie["max-age"] == 365 * 24 * 3600
    assert user.username not in cookie.value and str(user.id) not in cookie.value.split(".")[-1]
    # A second account on the same browser keeps the same device.
    second = make_user()
    again = attempt(api, second, ip=OWNER_IP, password=PASSWORD)
    assert again.cookies["dbay_device"].value != cookie.value
    assert api.post("/api/v1/user/auth/logout", {}).status_code == 204
    assert "dbay_device" not in api.post("/api/v1/user/auth/logout", {}).cookies


def test_the_owner_is_mailed_once_when_an_unseen_source_is_slowed(
    make_user, run_after_commit, mail_to, mail_body, skip_waits
):
    user = make_user()
    attacker = APIClient()

    with run_after_commit():
        for _ in range(7):
            attempt(attacker, user, ip=ATTACKER_IP)
            skip_waits()
        for _ in range(5):
            attempt(attacker, user, ip="203.0.113.67")

    (message,) = mail_to(user.email)
    assert message["Subject"] == "Failed sign-in attempts on your dBay account"
    text = mail_body(message)
    assert f"Hello {user.username}," in text
    assert f"(network address {ATTACKER_IP})" in text
    assert "You can still sign in as usual from your own devices." in text


def test_the_owners_own_typos_on_a_known_device_send_no_mail(api, make_user, run_after_commit, mail_to):
    user = make_user()
    assert attempt(api, user, ip=OWNER_IP, password=PASSWORD).status_code == 200

    with run_after_commit():
        statuses = [attempt(api, user, ip=OWNER_IP).status_code for _ in range(6)]

    assert statuses == [401] * 5 + [429]
    assert mail_to(user.email) == []
