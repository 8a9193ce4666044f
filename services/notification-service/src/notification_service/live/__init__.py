"""The live channel: a WebSocket server pushing per-topic events to browsers (docs/live-channel.md).

``live_publish`` (:mod:`.publish`) puts a message on a topic from any notification-service process;
``user_is_online`` (:mod:`.presence`) tells whether a user has a socket open; the server itself runs
as ``python -m notification_service.live`` (:mod:`.server`).
"""
