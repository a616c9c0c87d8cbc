"""The kit's least-privilege database roles, created by the migration Job as the RDS master user.

The Job runs ``python -c "$KIT_ROLE_BOOTSTRAP" roles``, then ``airflow db migrate`` as the
application role, then ``python -c "$KIT_ROLE_BOOTSTRAP" grants`` (components/values/jobs.py).
It runs inside the Airflow image, which ships psycopg2. Every statement can run again: a re-run
(each new Airflow version) changes nothing but the role passwords' salts.

``roles``: the application role (LOGIN, nothing cluster-wide) owning what Airflow creates, and a
read-only role for KEDA's scaler. What the master user already owns in the ``public`` schema
(a stack that ran Airflow as the master user before) is handed to the application role, so
Airflow's migrations, which alter their own tables, keep working.

``grants``: after the migration, KEDA may read ``task_instance`` and nothing else.

Passwords are sent as SCRAM-SHA-256 verifiers, never as plain text, so a server that logs
statements never logs them. The connection and passwords come from the Job's environment
(the kit's ``metadata-direct`` Secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import sys

import psycopg2
from psycopg2 import sql

SCRAM_ITERATIONS = 4096  # PostgreSQL's own default (scram_iterations)
SCHEMA = "public"
KEDA_TABLES = ("task_instance",)
# What a login role of the kit must never have. A role of that name someone made by hand with
# more is refused rather than silently used.
FORBIDDEN_ATTRIBUTES = ("rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls")
# Relation kinds the master user may own in the schema, and the ALTER that hands each over.
# Sequences owned by a column move with their table; the rest are handed over on their own.
RELATION_KINDS = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE"}
_MINE = "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
# (ALTER what, the master user's objects of that kind in the schema: name, and a routine's arguments)
LEFTOVERS = (
    (
        "SEQUENCE",
        "SELECT c.relname, '' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = %s AND c.relkind = 'S' AND c.relowner = {_MINE}",
    ),
    (
        "TYPE",
        "SELECT t.typname, '' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        f"WHERE n.nspname = %s AND t.typtype IN ('e', 'd', 'r') AND t.typowner = {_MINE}",
    ),
    (
        "ROUTINE",
        "SELECT p.proname, '(' || pg_get_function_identity_arguments(p.oid) || ')' FROM pg_proc p "
        f"JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s AND p.prokind IN ('f', 'p') "
        f"AND p.proowner = {_MINE}",
    ),
)


def scram_verifier(password: str) -> str:
    """What ``ALTER ROLE ... PASSWORD`` stores for SCRAM-SHA-256 (RFC 5802/7677), as libpq's
    ``PQencryptPasswordConn`` builds it."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def ensure_login_role(cursor, role: str, password: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    cursor.execute(
        sql.SQL("ALTER ROLE {} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD %s").format(sql.Identifier(role)),
        (scram_verifier(password),),
    )
    cursor.execute(
        f"SELECT {', '.join(FORBIDDEN_ATTRIBUTES)} FROM pg_roles WHERE rolname = %s",
        (role,),
    )
    granted = [name for name, value in zip(FORBIDDEN_ATTRIBUTES, cursor.fetchone(), strict=True) if value]
    if granted:
        raise SystemExit(f"role {role} exists with {', '.join(granted)}: drop it, or name another role in the stack")


def hand_over_objects(cursor, application: str) -> None:
    """The master user's objects in the schema become the application role's."""
    owner = sql.Identifier(application)
    cursor.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = %s AND c.relowner = {_MINE} AND c.relkind = ANY(%s) ORDER BY c.relname",
        (SCHEMA, list(RELATION_KINDS)),
    )
    for name, kind in cursor.fetchall():
        cursor.execute(
            sql.SQL("ALTER {} {} OWNER TO {}").format(
                sql.SQL(RELATION_KINDS[kind]), sql.Identifier(SCHEMA, name), owner
            )
        )
    # What is left: sequences no column owns, then types and routines.
    for statement, query in LEFTOVERS:
        cursor.execute(query, (SCHEMA,))
        for name, arguments in cursor.fetchall():
            cursor.execute(
                sql.SQL("ALTER {} {}{} OWNER TO {}").format(
                    sql.SQL(statement), sql.Identifier(SCHEMA, name), sql.SQL(arguments), owner
                )
            )


def roles(cursor, database: str, application: str, keda: str) -> None:
    ensure_login_role(cursor, application, os.environ["KIT_DATABASE_APPLICATION_PASSWORD"])
    ensure_login_role(cursor, keda, os.environ["KIT_DATABASE_KEDA_PASSWORD"])
    app, reader, db, schema = (sql.Identifier(name) for name in (application, keda, database, SCHEMA))
    # Read-only even if someone grants it more later.
    cursor.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(reader))
    cursor.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db, app))
    cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, reader))
    cursor.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(schema, app))
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, reader))
    # To hand an object to a role, its owner must be able to become that role (PostgreSQL 16).
    cursor.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(app))
    hand_over_objects(cursor, application)


def grants(cursor, keda: str) -> None:
    for table in KEDA_TABLES:
        cursor.execute(
            sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(sql.Identifier(SCHEMA, table), sql.Identifier(keda))
        )


def main(phase: str) -> None:
    application = os.environ["KIT_DATABASE_APPLICATION_ROLE"]
    keda = os.environ["KIT_DATABASE_KEDA_ROLE"]
    connection = psycopg2.connect(os.environ["KIT_MASTER_CONNECTION"])
    try:
        with connection, connection.cursor() as cursor:  # one transaction: all of a phase, or nothing
            cursor.execute("SELECT current_database()")
            (database,) = cursor.fetchone()
            if phase == "roles":
                roles(cursor, database, application, keda)
            elif phase == "grants":
                grants(cursor, keda)
            else:
                raise SystemExit(f"unknown phase {phase!r}: roles or grants")
    finally:
        connection.close()
    print(f"database roles: {phase} done for {application} and {keda} in {database}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
