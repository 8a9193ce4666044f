"""``manage.py db_roles``: the owner and runtime roles' grants (see ``wallet_service.db_roles``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from wallet_service.db_roles import TABLE_PRIVILEGES, Roles, db_roles_sql


def database_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        return [str(row[0]) for row in cursor.fetchall()]


class Command(BaseCommand):
    help = (
        "Print (or with --apply, run) the SQL that gives the owner role the schema and the runtime role "
        "exactly the privileges the service needs: no TRUNCATE anywhere, no UPDATE or DELETE on the "
        "append-only tables. Run as the owner or a superuser, after every migration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default=Roles.owner, help="the role that owns and migrates")
        parser.add_argument("--runtime", default=Roles.runtime, help="the role the processes connect as")
        parser.add_argument("--apply", action="store_true", help="run the statements (one transaction)")

    def handle(self, *args: Any, **options: Any) -> None:
        tables = database_tables()
        unknown = sorted(set(tables) - set(TABLE_PRIVILEGES))
        if unknown:
            raise CommandError(f"tables without a privilege policy in wallet_service.db_roles: {unknown}")
        statements = db_roles_sql(
            database=str(connection.settings_dict["NAME"]),
            roles=Roles(owner=options["owner"], runtime=options["runtime"]),
            tables=tables,
        )
        connection.ensure_connection()
        if not options["apply"]:
            for statement in statements:
                self.stdout.write(statement.as_string(connection.connection) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement.as_string(connection.connection))
        self.stdout.write(f"grants applied for {len(tables)} tables")
