import pytest
from dbay_common.django.celery import RELAY_TASK_NAME
from dbay_common.events.envelope import Event
from dbay_common.transports.base import build_publisher_from_env
from django.conf import settings
from django.core.management import call_command
from order_service.celery import app as celery_app
from order_service.orders.events import HANDLERS


def test_celery_app_uses_this_service_redis_and_schedules_the_outbox_relay():
    assert celery_app.main == "order-service"
    assert celery_app.conf.broker_url == settings.REDIS_URL
    assert celery_app.conf.beat_schedule[RELAY_TASK_NAME]["task"] == RELAY_TASK_NAME


def test_event_handlers_setting_points_at_this_service_handlers():
    assert settings.DBAY_EVENT_HANDLERS == "order_service.orders.events:HANDLERS"
    assert HANDLERS == {}


@pytest.mark.django_db
def test_consume_events_acknowledges_events_it_has_no_handler_for(event_bus_env, events_redis):
    event = Event.new(source="dbay.test", detail_type="test.happened", data={"n": 1})
    build_publisher_from_env().publish([event])

    call_command("consume_events", "--max-batches", "1", "--block-ms", "200")

    assert events_redis.xpending(event_bus_env.stream, "order-service")["pending"] == 0
    assert events_redis.xlen(event_bus_env.dead_letter_stream) == 0
