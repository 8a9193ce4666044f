"""Reads for messaging-service: functions that query and return data, never change it."""
