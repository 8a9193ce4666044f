"""Reads for listing-service: functions that query and return data, never change it."""
