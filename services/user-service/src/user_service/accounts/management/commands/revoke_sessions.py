"""``manage.py revoke_sessions <username> [--session ID]``: end a member's sessions (all, or one).

For operators answering a compromised account: every other service refuses the sessions' access
tokens as soon as it reads the ``session.revoked`` events (reason ``staff``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dbay_common.errors import NotFound
from user_service.accounts import selectors, services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--session", type=uuid.UUID, default=None, help="end only this session")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = selectors.user_get_by_username(username=options["username"])
            ended = services.sessions_revoke_by_staff(user_id=user.id, session_id=options["session"])
        except NotFound as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{user.username}: {ended} session{'s' if ended != 1 else ''} ended")
