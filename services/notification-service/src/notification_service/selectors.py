"""Reads for notification-service: functions that query and return data, never change it."""
