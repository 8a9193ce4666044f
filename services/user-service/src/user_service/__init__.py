"""user-service: users, sessions, profiles and ratings (PostgreSQL).

It issues the JWTs every other service verifies.
"""
