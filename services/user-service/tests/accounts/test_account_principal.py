"""Account endpoints (``me/...``) answer 401 ``not_authenticated`` whenever the caller names no user
or no session, whatever authenticated the request: never a 500."""

from __future__ import annotations

import uuid

import pytest

from dbay_common.drf.authentication import TokenUser
from user_service.accounts.models import Profile, Session

pytestmark = pytest.mark.django_db

NOT_AUTHENTICATED = {
    "error": {"type": "authentication_error", "code": "not_authenticated", "message": "Sign in to continue."}
}

ACCOUNT_REQUESTS = [
    ("get", "/api/v1/user/me", None),
    ("patch", "/api/v1/user/me/profile", {"display_name": "Mallory"}),
    ("post", "/api/v1/user/me/password", {"current_password": "x" * 12, "new_password": "y" * 12}),
    ("get", "/api/v1/user/me/sessions", None),
    ("post", "/api/v1/user/me/2fa/enroll", None),
    ("post", "/api/v1/user/me/2fa/verify", {"code": "123456"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_REQUESTS)
@pytest.mark.parametrize("subject", ["service:wallet-service", "", "42"])
def test_a_token_whose_subject_is_not_a_user_is_401(api, make_user, sign_in, method, path, body, subject):
    session = sign_in(make_user()).claims["sid"]
    api.force_authenticate(user=TokenUser({"sub": subject, "sid": session}))

    response = getattr(api, method)(path, body, format="json")

    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert Profile.objects.filter(display_name="Mallory").count() == 0


@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_REQUESTS)
def test_a_principal_that_is_not_a_token_user_is_401(api, make_user, method, path, body):
    api.force_authenticate(user=make_user())

    response = getattr(api, method)(path, body, format="json")

    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


@pytest.mark.parametrize("sid", [None, "", "not-a-session"])
def test_step_up_without_a_session_in_the_token_is_401_and_changes_nothing(api, make_user, sign_in, sid):
    user = make_user()
    sign_in(user)
    claims = {"sub": str(user.id)} if sid is None else {"sub": str(user.id), "sid": sid}
    api.force_authenticate(user=TokenUser(claims))

    response = api.post("/api/v1/user/me/2fa/verify", {"code": "123456"}, format="json")

    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert list(Session.objects.filter(user=user).values_list("mfa_at", flat=True)) == [None]


def test_an_unknown_user_id_with_a_live_looking_token_is_404_not_500(api):
    api.force_authenticate(user=TokenUser({"sub": str(uuid.uuid4()), "sid": str(uuid.uuid4())}))

    response = api.get("/api/v1/user/me")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "user_not_found"
