"""``manage.py reinstate_user <username>``: lift a member's suspension (``user.reinstated``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dbay_common.errors import ApiError
from user_service.accounts import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = services.user_reinstate(username=options["username"])
        except ApiError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{user.username} is reinstated (they can sign in again)")
