"""Reads for auction-service: functions that query and return data, never change it."""
