"""Administration: accounts and tokens, the audit log, whole-database backups.

Whoever holds the database file is its administrator: these commands need no account of their own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from alliances.auth import accounts
from alliances.cli.common import DbOption, JsonOption, console, open_database, print_json, print_table
from alliances.errors import InvalidInput
from alliances.store import audit, backup
from alliances.store.accounts import list_users, tokens_of

users_app = typer.Typer(help="Accounts: add, list.", no_args_is_help=True)
tokens_app = typer.Typer(help="Personal API tokens: create (shown once), list, revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log: verify, show.", no_args_is_help=True)

Opt = typer.Option


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(audit_app, name="audit")
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)


@contextmanager
def session_of(db: str | None, write: bool = False) -> Iterator[Session]:
    """One transaction on the --db database, whose connections are closed afterwards."""
    database = open_database(db, write=write)
    try:
        with database.session(write=write) as session:
            yield session
    finally:
        database.dispose()


def _password_from_stdin() -> str:
    text = sys.stdin.readline().rstrip("\r\n")
    if not text:
        raise InvalidInput(
            "no password on standard input (echo PASSWORD | alliances users add … --password-stdin)"
        )
    return text


@users_app.command("add")
def users_add(
    email: str,
    org: Annotated[str, Opt("--org", help="Organisation id or name the user belongs to.")],
    role: Annotated[str, Opt("--role", help="viewer, analyst, alliance_manager or admin.")],
    password_stdin: Annotated[bool, Opt("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Create an account, member of one organisation with a role."""
    if not password_stdin:
        raise InvalidInput(
            "give the password on standard input with --password-stdin (never on the command line)"
        )
    password = _password_from_stdin()
    with session_of(db, write=True) as session:
        user = accounts.add_user(session, email, password, organisation=org, role=role)
        email = user.email
    console.print(f"User {email} added ({role}).")


@users_app.command("list")
def users_list(db: DbOption = None, json: JsonOption = False) -> None:
    """Every account with its memberships."""
    with session_of(db) as session:
        rows = list_users(session)
    if json:
        print_json(rows)
    else:
        print_table(rows, ["id", "email", "active", "memberships"])


@tokens_app.command("create")
def tokens_create(
    email: str,
    days: Annotated[float, Opt("--days", help="Days until the token expires.")] = accounts.TOKEN_DAYS,
    label: Annotated[str, Opt("--label", help="What the token is for.")] = "",
    db: DbOption = None,
) -> None:
    """Issue a bearer token for a user; it is printed once and only its digest is kept."""
    with session_of(db, write=True) as session:
        issued = accounts.issue(session, accounts.require_user(session, email), days=days, label=label)
    sys.stdout.write(issued.secret + "\n")
    console.print(
        f"Token #{issued.token_id} expires {issued.expires:%Y-%m-%d %H:%M} UTC; it will not be shown again."
    )


@tokens_app.command("list")
def tokens_list(email: str, db: DbOption = None) -> None:
    """A user's tokens (ids, labels, expiry, revoked): never the secrets."""
    with session_of(db) as session:
        rows = [
            {"id": t.id, "label": t.label, "expires": f"{t.expires:%Y-%m-%d %H:%M}", "revoked": t.revoked}
            for t in tokens_of(session, accounts.require_user(session, email).id)
        ]
    print_table(rows, ["id", "label", "expires", "revoked"])


@tokens_app.command("revoke")
def tokens_revoke(token_id: int, db: DbOption = None) -> None:
    """Revoke a token by id: it stops working at once."""
    with session_of(db, write=True) as session:
        accounts.revoke(session, token_id)
    console.print(f"Token #{token_id} revoked.")


@audit_app.command("verify")
def audit_verify(db: DbOption = None) -> None:
    """Check the hash chain: exit 0 when intact, 1 naming the first bad entry."""
    with session_of(db) as session:
        verdict = audit.verify(session)
    if verdict.ok:
        console.print(f"Audit log intact: {verdict.checked} entries.")
        return
    console.print(
        f"Audit log broken at entry {verdict.bad_seq}: {verdict.reason} "
        f"({verdict.checked} entries before it are intact)."
    )
    raise typer.Exit(1)


@audit_app.command("show")
def audit_show(
    who: Annotated[str | None, Opt("--who", help="Only entries by this user (email).")] = None,
    action: Annotated[
        str | None, Opt("--action", help="Only actions starting with this, e.g. alliance.")
    ] = None,
    record: Annotated[
        str | None, Opt("--record", help="Only entries about this record, e.g. alliance:42.")
    ] = None,
    since: Annotated[str | None, Opt("--since", help="From this date or time (ISO, UTC).")] = None,
    until: Annotated[str | None, Opt("--until", help="Up to this date or time (ISO, UTC).")] = None,
    limit: Annotated[int, Opt("--limit", min=1, max=100000, help="At most this many, newest first.")] = 50,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Entries of the audit log, newest first, filtered."""
    with session_of(db) as session:
        rows = [
            e.model_dump()
            for e in audit.entries(
                session, who=who, action=action, record=record, since=since, until=until, limit=limit
            )
        ]
    if json:
        print_json(rows)
    else:
        print_table(rows, ["seq", "at", "who", "action", "record", "origin", "detail"])


def backup_cmd(file: Path, db: DbOption = None) -> None:
    """Write the whole database (every table, private records included) to one checked file."""
    database = open_database(db)
    try:
        counts = backup.backup(database, file)
    finally:
        database.dispose()
    console.print(f"Backup written to {file}: {sum(counts.values())} rows in {len(counts)} tables.")


def restore_cmd(
    file: Path,
    yes: Annotated[bool, Opt("--yes", help="Replace the database's current content without asking.")] = False,
    db: DbOption = None,
) -> None:
    """Replace the whole database with a backup; a corrupt or truncated file changes nothing."""
    backup.read_backup(file)  # refuse a bad file before asking anything
    database = open_database(db, require=False, write=True)
    try:
        if not yes and database.is_initialised() and not typer.confirm("Replace the whole database?"):
            raise typer.Abort()
        counts = backup.restore(database, file)
    finally:
        database.dispose()
    console.print(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {file}.")
