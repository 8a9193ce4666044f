"""pytest fixtures for the EventBridge transport, backed by a real moto server process.

Why a server rather than ``mock_aws``: the server speaks HTTP like AWS does, so the code under test
builds its boto3 clients exactly as in production (honouring ``AWS_ENDPOINT_URL``) and nothing is
patched in-process. moto delivers ``PutEvents`` to SQS targets of matching rules, which is the whole
path the AWS deployment relies on.

Fixtures:

``moto_server_url`` (session)
    Starts ``python -m moto.server`` on a free loopback port, waits until it answers, stops it at the
    end of the session.
``aws_env``
    Points boto3's default clients at that server (endpoint, region, dummy credentials) for one test.
``eventbridge_event_pattern``
    The rule pattern ``eventbridge_bus`` installs; override this fixture in a test module to route
    other events. Default: source ``dbay.test``, detail-type ``thing.happened``.
``eventbridge_bus``
    A fresh custom bus, an SQS queue, and a rule on the bus with that pattern targeting the queue;
    yields an :class:`EventBridgeBus` and deletes all of it afterwards.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import requests

if TYPE_CHECKING:
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_sqs.client import SQSClient

__all__ = [
    "AWS_TEST_REGION",
    "EventBridgeBus",
    "aws_env",
    "eventbridge_bus",
    "eventbridge_event_pattern",
    "moto_server_url",
]

AWS_TEST_REGION = "us-east-1"
_STARTUP_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with code {process.returncode} before answering")
        try:
            if requests.get(f"{url}/moto-api/", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer on {url} within {_STARTUP_TIMEOUT_S:.0f} s")


@pytest.fixture(scope="session")
def moto_server_url() -> Iterator[str]:
    """Base URL of a moto server dedicated to this test session."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_ready(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def aws_env(moto_server_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make boto3's default clients talk to the moto server for this test; returns its URL."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", AWS_TEST_REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return moto_server_url


@dataclass(frozen=True)
class EventBridgeBus:
    """What ``eventbridge_bus`` created, plus clients bound to the moto server."""

    bus_name: str
    rule_name: str
    queue_url: str
    queue_arn: str
    event_pattern: dict[str, Any]
    endpoint_url: str
    events_client: EventBridgeClient
    sqs_client: SQSClient


@pytest.fixture
def eventbridge_event_pattern() -> dict[str, Any]:
    """The pattern of the rule ``eventbridge_bus`` creates. Override to route other events."""
    return {"source": ["dbay.test"], "detail-type": ["thing.happened"]}


@pytest.fixture
def eventbridge_bus(aws_env: str, eventbridge_event_pattern: dict[str, Any]) -> Iterator[EventBridgeBus]:
    """A custom bus whose one rule sends matching events to a fresh SQS queue; removed afterwards."""
    suffix = uuid.uuid4().hex[:12]
    bus_name = f"dbay-test-{suffix}"
    rule_name = f"dbay-test-rule-{suffix}"
    queue_name = f"dbay-test-queue-{suffix}"
    events: EventBridgeClient = boto3.client("events", endpoint_url=aws_env, region_name=AWS_TEST_REGION)
    sqs: SQSClient = boto3.client("sqs", endpoint_url=aws_env, region_name=AWS_TEST_REGION)

    events.create_event_bus(Name=bus_name)
    queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    try:
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        rule_arn = events.put_rule(
            Name=rule_name, EventBusName=bus_name, EventPattern=json.dumps(eventbridge_event_pattern)
        )["RuleArn"]
        # AWS needs this resource policy for the rule to deliver; moto does not check it, but keeping
        # it here documents what the CloudFormation template must grant.
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
        events.put_targets(Rule=rule_name, EventBusName=bus_name, Targets=[{"Id": "queue", "Arn": queue_arn}])
        yield EventBridgeBus(
            bus_name=bus_name,
            rule_name=rule_name,
            queue_url=queue_url,
            queue_arn=queue_arn,
            event_pattern=eventbridge_event_pattern,
            endpoint_url=aws_env,
            events_client=events,
            sqs_client=sqs,
        )
    finally:
        try:
            events.remove_targets(Rule=rule_name, EventBusName=bus_name, Ids=["queue"])
            events.delete_rule(Name=rule_name, EventBusName=bus_name)
        except events.exceptions.ResourceNotFoundException:
            pass
        events.delete_event_bus(Name=bus_name)
        sqs.delete_queue(QueueUrl=queue_url)
