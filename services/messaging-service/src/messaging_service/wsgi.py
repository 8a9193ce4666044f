"""WSGI entry point: `gunicorn messaging_service.wsgi:app`."""

from messaging_service import create_app

app = create_app()
