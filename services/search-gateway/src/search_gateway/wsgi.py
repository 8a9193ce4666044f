"""WSGI entry point: `gunicorn search_gateway.wsgi:app`."""

from search_gateway import create_app

app = create_app()
