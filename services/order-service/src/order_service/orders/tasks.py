"""Celery entry points for order-service. Each task only parses its arguments and calls a service."""
