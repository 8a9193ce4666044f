"""``manage.py suspend_user <username> --reason TEXT``: suspend a member.

Every session ends (``session.revoked``), the member cannot sign in, and ``user.suspended`` tells the
services that act for members (bids, messages, publishing) to refuse them. ``reinstate_user`` undoes it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dbay_common.errors import ApiError
from user_service.accounts import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why (kept for staff, sent to the services)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, ended = services.user_suspend(username=options["username"], reason=options["reason"])
        except ApiError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{user.username} is suspended ({ended} session{'s' if ended != 1 else ''} ended)")
