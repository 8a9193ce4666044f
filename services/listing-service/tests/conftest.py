import socket
from collections.abc import Iterator

import pytest

pytest_plugins = ["dbay_common.testing.events"]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections: bound (so nobody else takes it) but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
