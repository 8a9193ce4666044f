"""Writes for user-service: `<entity>_<action>` functions, keyword-only and `@transaction.atomic`.

Each one documents its invariants, the rows it locks and the events it puts in the outbox.
"""
