"""``manage.py rotate_signing_key``: start signing access tokens with a new RSA key.

The new key is published in the JWKS at once and signs after ``--activate-in`` seconds (default
``SIGNING_KEY_ACTIVATION_DELAY_S``), so every process and every verifier's cache learns it first.
The key signing until now stays published (its tokens keep verifying until they expire); the one
before it is retired. ``--compromised`` retires every key and signs with the new one immediately
(every access token in circulation stops verifying; clients refresh).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from user_service.accounts import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--activate-in",
            type=int,
            default=None,
            metavar="SECONDS",
            help="seconds before the new key signs (default: SIGNING_KEY_ACTIVATION_DELAY_S)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="retire the previous key even if tokens it signed may still be valid",
        )
        parser.add_argument(
            "--compromised",
            action="store_true",
            help="retire every existing key now and sign with the new key immediately",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        delay_s = options["activate_in"]
        if delay_s is None:
            delay_s = int(settings.SIGNING_KEY_ACTIVATION_DELAY_S)
        if delay_s < 0:
            raise CommandError("--activate-in must be >= 0")
        try:
            result = services.signing_key_rotate(
                activation_delay_s=delay_s, force=options["force"], compromised=options["compromised"]
            )
        except services.RotationRefused as error:
            raise CommandError(str(error)) from None
        key = result.new_key
        signs_from = key.activates_at.isoformat(timespec="seconds")
        self.stdout.write(f"new signing key {key.kid} published; signs from {signs_from}")
        for kid in result.retired:
            self.stdout.write(f"retired key {kid}")
