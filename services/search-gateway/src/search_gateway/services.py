"""Writes for search-gateway: `<entity>_<action>` functions with keyword-only arguments.

Each one documents its invariants and the events it emits. Routes and event handlers call these;
they hold no logic themselves.
"""
