"""``manage.py set_staff <username> [--revoke]``: give a member the staff role, or take it away."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dbay_common.errors import NotFound
from user_service.accounts import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="remove the staff role instead")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = services.user_staff_set(username=options["username"], is_staff=not options["revoke"])
        except NotFound as error:
            raise CommandError(error.message) from None
        state = "is now staff" if user.is_staff else "is no longer staff"
        self.stdout.write(f"{user.username} {state} (effective in their next access token)")
