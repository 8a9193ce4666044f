"""Django integration: apps, middleware and helpers shared by the Django services."""
