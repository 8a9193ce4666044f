"""A tiny Flask service built with create_service_app, for the Flask tests."""

from __future__ import annotations

import time
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, g, jsonify, request

from dbay_common.errors import Conflict
from dbay_common.flask import (
    Blueprint,
    IdempotencyStore,
    add_api_index,
    create_service_app,
    health_blueprint,
    idempotent,
    jwt_required,
)
from dbay_common.health import Check
from tests.django_views import ExecutionCounter

PREFIX = "/api/v1/test"
EXECUTIONS = ExecutionCounter()


class ThingIn(ma.Schema):
    amount_koinu = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    note = ma.fields.String()


class ThingOut(ma.Schema):
    amount_koinu = ma.fields.Integer()


class CreateIn(ma.Schema):
    n = ma.fields.Integer()
    sleep_s = ma.fields.Float()
    fail_first = ma.fields.Integer()
    status = ma.fields.Integer()


def build_app(
    *, jwks_url: str, checks: dict[str, Check] | None = None, store: IdempotencyStore | None = None
) -> Flask:
    app, api = create_service_app(
        # The lib's own distribution name, so the API index can report an installed version.
        import_name=__name__,
        service="dbay-common",
        title="Flask tests",
        api_prefix=PREFIX,
    )
    app.config["JWT_JWKS_URL"] = jwks_url
    if store is not None:
        store.init_app(app)

    blp = Blueprint("things", __name__, url_prefix=PREFIX, description="Things")
    add_api_index(blp)

    @blp.route("/things", methods=["POST"])
    @blp.arguments(ThingIn)
    @blp.response(201, ThingOut)
    def thing_create(payload: dict[str, Any]) -> dict[str, Any]:
        return {"amount_koinu": payload["amount_koinu"]}

    @blp.route("/me")
    @jwt_required()
    def me() -> Any:
        return jsonify({"id": g.user_id, "roles": g.claims.get("roles", [])})

    @blp.route("/admin")
    @jwt_required(roles=("admin",))
    def admin() -> Any:
        return jsonify({"ok": True})

    @blp.route("/boom")
    def boom() -> Any:
        raise RuntimeError("database password is hunter2")

    @blp.route("/conflict", methods=["POST"])
    def conflict() -> Any:
        raise Conflict("The auction is closed.", code="auction_closed")

    @blp.route("/raw-json", methods=["POST"])
    def raw_json() -> Any:
        return jsonify(request.get_json())

    @blp.route("/creations", methods=["POST"])
    @idempotent
    @blp.arguments(CreateIn)
    def creation_create(payload: dict[str, Any]) -> Any:
        execution = EXECUTIONS.increment()
        time.sleep(payload.get("sleep_s", 0))
        if execution <= payload.get("fail_first", 0):
            raise RuntimeError("simulated crash")
        user = g.claims["sub"] if "claims" in g else None
        return (
            jsonify({"execution": execution, "user": user}),
            payload.get("status", 201),
            {"Location": f"/creations/{execution}"},
        )

    @blp.route("/protected-creations", methods=["POST"])
    @jwt_required()
    @idempotent
    def protected_creation_create() -> Any:
        execution = EXECUTIONS.increment()
        return jsonify({"execution": execution, "user": g.user_id}), 201

    api.register_blueprint(blp)

    # A plain flask-smorest blueprint (422 on bad input) must answer in our shape too.
    plain = flask_smorest.Blueprint("plain", __name__, url_prefix=f"{PREFIX}/plain")

    @plain.route("/things", methods=["POST"])
    @plain.arguments(ThingIn)
    def plain_thing_create(payload: dict[str, Any]) -> Any:
        return jsonify(payload), 201

    api.register_blueprint(plain)
    app.register_blueprint(health_blueprint(service="flask-tests", checks=checks or {}), url_prefix=PREFIX)
    return app
