"""Reads for search-gateway: functions that query and return data, never change it."""
