"""Reads for order-service: functions that query and return data, never change it."""
