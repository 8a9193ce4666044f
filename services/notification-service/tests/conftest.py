import pytest
from flask import Flask

from notification_service import create_app


@pytest.fixture
def app() -> Flask:
    """The app as configured from the environment (the contract tests break its stores in app.config)."""
    return create_app()
