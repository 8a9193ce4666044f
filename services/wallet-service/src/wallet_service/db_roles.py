"""The service's PostgreSQL roles, as code: an owner that migrates, a runtime role that only runs it.

* **owner** (``wallet_owner``): owns the schema and every table, runs ``manage.py migrate``. Used
  by deploys only; never by the web, worker, follower or signer processes.
* **runtime** (``wallet_app``): what every running process connects as. It holds exactly
  :data:`TABLE_PRIVILEGES` — never TRUNCATE (row triggers cannot stop it, so the privilege must not
  exist), never UPDATE or DELETE on the append-only tables (``ledger_transfer``,
  ``staff_staffaction``; their triggers refuse them too), no DDL, no REFERENCES or TRIGGER.

Every table of the database must have an entry (a test fails on a table without one), so a new
table gets a deliberate policy. ``manage.py db_roles`` prints the SQL; ``--apply`` runs it as the
connecting (owner or superuser) role. It is idempotent: run it after every migration.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

SELECT, INSERT, UPDATE, DELETE = "SELECT", "INSERT", "UPDATE", "DELETE"

#: table → the privileges of the runtime role (and why, for the reader of the grants).
TABLE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    # The ledger: transfers are append-only; accounts change only their counters and frozen flag.
    "ledger_transfer": (SELECT, INSERT),
    "ledger_account": (SELECT, INSERT, UPDATE),
    # The chain side: rows move through states; nothing is ever deleted.
    "chain_walletaddress": (SELECT, INSERT, UPDATE),
    "chain_chainblock": (SELECT, INSERT, UPDATE),
    "chain_deposit": (SELECT, INSERT, UPDATE),
    "chain_chaintransaction": (SELECT, INSERT, UPDATE),
    "chain_utxo": (SELECT, INSERT, UPDATE),
    "chain_withdrawal": (SELECT, INSERT, UPDATE),
    "chain_reconciliationrun": (SELECT, INSERT),
    # Staff audit log: append-only.
    "staff_staffaction": (SELECT, INSERT),
    # Shared machinery: idempotency keys are released and purged, outbox and inbox rows cleaned up.
    "dbay_idempotency_record": (SELECT, INSERT, UPDATE, DELETE),
    "dbay_outbox_event": (SELECT, INSERT, UPDATE, DELETE),
    "dbay_inbox_event": (SELECT, INSERT, UPDATE, DELETE),
    # Django's own bookkeeping, read at start (migrations check, content types).
    "django_migrations": (SELECT,),
    "django_content_type": (SELECT, INSERT),
    "auth_permission": (SELECT, INSERT),
    # django.contrib.auth is installed for DRF; the service keeps no users or groups of its own.
    "auth_group": (SELECT,),
    "auth_group_permissions": (SELECT,),
    "auth_user": (SELECT,),
    "auth_user_groups": (SELECT,),
    "auth_user_user_permissions": (SELECT,),
}


@dataclass(frozen=True)
class Roles:
    owner: str = "wallet_owner"
    runtime: str = "wallet_app"


def db_roles_sql(*, database: str, roles: Roles, tables: list[str]) -> list[sql.Composed]:
    """The statements that give ``roles`` exactly their privileges on ``tables`` of ``database``.

    Creates both roles if missing (NOLOGIN: an operator sets LOGIN and a password, or a certificate
    mapping, out of band), hands the schema's tables and sequences to the owner, revokes everything
    from the runtime role and PUBLIC, then grants :data:`TABLE_PRIVILEGES` and sequence usage.
    Raises ``KeyError`` for a table without a policy.
    """
    owner, runtime = sql.Identifier(roles.owner), sql.Identifier(roles.runtime)
    statements: list[sql.Composed] = []
    for role in (roles.owner, roles.runtime):
        statements.append(
            sql.SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
                "CREATE ROLE {role} NOLOGIN; END IF; END $$"
            ).format(name=sql.Literal(role), role=sql.Identifier(role))
        )
    statements += [
        sql.SQL("REVOKE ALL ON DATABASE {db} FROM PUBLIC").format(db=sql.Identifier(database)),
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {owner}, {runtime}").format(
            db=sql.Identifier(database), owner=owner, runtime=runtime
        ),
        sql.SQL("GRANT CREATE ON DATABASE {db} TO {owner}").format(db=sql.Identifier(database), owner=owner),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC").format(),
        sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {owner}").format(owner=owner),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {runtime}").format(runtime=runtime),
    ]
    for table in tables:
        privileges = TABLE_PRIVILEGES[table]
        name = sql.Identifier(table)
        statements += [
            sql.SQL("ALTER TABLE {table} OWNER TO {owner}").format(table=name, owner=owner),
            sql.SQL("REVOKE ALL ON TABLE {table} FROM PUBLIC, {runtime}").format(table=name, runtime=runtime),
            sql.SQL("GRANT {privileges} ON TABLE {table} TO {runtime}").format(
                privileges=sql.SQL(", ").join(sql.SQL(p) for p in privileges), table=name, runtime=runtime
            ),
        ]
    statements += [
        sql.SQL(
            "DO $$ DECLARE s record; BEGIN FOR s IN SELECT sequencename FROM pg_sequences "
            "WHERE schemaname = 'public' LOOP "
            "EXECUTE format('ALTER SEQUENCE %I OWNER TO %I', s.sequencename, {owner_name}); "
            "EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO %I', s.sequencename, {runtime_name}); "
            "END LOOP; END $$"
        ).format(owner_name=sql.Literal(roles.owner), runtime_name=sql.Literal(roles.runtime)),
    ]
    return statements
