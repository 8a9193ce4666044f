"""``create_app`` of the reference slice: one route, POST /api/v1/widgets/widgets (Idempotency-Key)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask
from pymongo import ASCENDING
from pymongo.database import Database

from dbay_common.flask import Blueprint, IdempotencyStore, KoinuField, create_service_app, idempotent
from dbay_common.mongo import RelayKick, ensure_outbox_indexes
from tests.flask_outbox_app.events import SERVICE
from tests.flask_outbox_app.services import widget_create

API_PREFIX = "/api/v1/widgets"


class WidgetIn(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    # Amounts travel as strings of digits, never JSON numbers (docs/architecture.md, "Conventions").
    price_koinu = KoinuField(required=True, validate=ma.validate.Range(min=1))


class WidgetOut(ma.Schema):
    id = ma.fields.String(attribute="_id")
    name = ma.fields.String()
    price_koinu = KoinuField()


def create_app(database: Database[dict[str, Any]], *, kick: RelayKick | None = None) -> Flask:
    """The slice's app over ``database`` (its collections get their indexes here)."""
    app, api = create_service_app(import_name=__name__, service=SERVICE, api_prefix=API_PREFIX)
    database["widgets"].create_index([("name", ASCENDING)], unique=True, name="widget_name_unique")
    ensure_outbox_indexes(database["widgets"])
    IdempotencyStore(database["idempotency_records"]).init_app(app)

    blueprint = Blueprint("widgets", __name__, url_prefix=API_PREFIX, description="Widgets")

    @blueprint.route("/widgets", methods=["POST"])
    @idempotent
    @blueprint.arguments(WidgetIn)
    @blueprint.response(201, WidgetOut)
    def widget_create_view(payload: dict[str, Any]) -> dict[str, Any]:
        return widget_create(
            database=database, name=payload["name"], price_koinu=payload["price_koinu"], kick=kick
        )

    api.register_blueprint(blueprint)
    return app
