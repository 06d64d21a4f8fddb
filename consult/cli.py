"""`flask --app wsgi consult …`: operators' commands."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from consult.errors import DomainError
from consult.extensions import db

consult_cli = AppGroup("consult", help="Consult administration commands.")


def _fail(error: DomainError) -> None:
    db.session.rollback()
    details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.field_errors.items())
    raise click.ClickException(f"{error.message}{' — ' + details if details else ''}")


@consult_cli.command("demo")
def demo_command():
    """Load the demo consultation (idempotent)."""
    from consult.demo import load_demo

    try:
        created = load_demo()
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")


@consult_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True)
@click.option("--org", "org_code", default=None, help="Organization code, e.g. KEN.")
@click.option("--password", required=True)
def create_user_command(email, name, role, org_code, password):
    """Create an account."""
    from consult.auth.services import create_user, organization_by_code

    organization = organization_by_code(org_code)
    if org_code and organization is None:
        raise click.ClickException(f"No organization with code {org_code}.")
    try:
        user = create_user(None, email=email, name=name, role=role, password=password, organization=organization)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@consult_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def token_command(email, name):
    """Issue an API token; it is printed once, as the last line."""
    from consult.auth.services import issue_token, normalize_email
    from consult.models import User

    user = db.session.scalar(db.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    token = issue_token(user, name)
    db.session.commit()
    click.echo(f"API token for {user.email} (store it now; it is not shown again):")
    click.echo(token)


@consult_cli.command("import-draft")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consultation", "slug", required=True)
@click.option("--title", required=True)
@click.option("--language", default=None)
@click.option("--kind", default="plan_draft")
def import_draft_command(file, slug, title, language, kind):
    """Import a UN document (text or Markdown); prints the new document's id last."""
    from consult.drafts.importer import ImportFormatError, decode_upload
    from consult.drafts.services import get_consultation, import_document

    try:
        text = decode_upload(file.read_bytes())
        document = import_document(None, get_consultation(slug), title=title, text=text, language=language, kind=kind)
    except ImportFormatError as error:
        raise click.ClickException(error.message) from error
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Imported {len(document.sections)} sections into “{document.title}”.")
    click.echo(document.id)


@consult_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path):
    """Write a consistent backup of the database to PATH while the app runs.

    SQLite: a copy of the database file; PostgreSQL: a pg_dump archive in custom format
    (restore it with pg_restore).
    """
    from consult.backup import BackupError, backup

    try:
        written = backup(path)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    click.echo(
        f"Backed up the {db.engine.dialect.name} database to {written.path}: {written.size:,} bytes, "
        f"schema revision {written.revision}."
    )
    for name, count in written.counts.items():
        click.echo(f"  {name:<32} {count:>10,}")


def _report(report) -> None:
    click.echo(f"reminders written {report.reminders}")
    click.echo(f"digests written {report.digests}")
    if report.failed:
        click.echo(f"refused {report.failed} (kept, to be tried again later)")
    if report.unreachable:
        click.echo(f"SMTP server unreachable, messages kept for the next run: {report.unreachable}", err=True)
    click.echo(f"sent {report.sent}")


@consult_cli.command("send-mail")
def send_mail_command():
    """Write the reminders and digests due, then send every due message; `sent N` is the last line.

    Exits with status 1 only when the SMTP server could not be reached (nothing is lost: the
    messages wait for the next run)."""
    from consult.notifications.delivery import run_once

    report = run_once()
    _report(report)
    if report.unreachable:
        raise SystemExit(1)


@consult_cli.command("mail-worker")
@click.option("--interval", type=float, default=None, help="Seconds between runs (MAIL_WORKER_INTERVAL).")
def mail_worker_command(interval):
    """Send mail continuously: what `send-mail` does, every MAIL_WORKER_INTERVAL seconds, until stopped
    (SIGTERM or Ctrl-C end it after the message being sent). While the SMTP server cannot be reached
    it waits longer between tries, up to ten minutes."""
    import signal
    import threading

    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError

    from consult.notifications.delivery import run_once

    interval = interval or current_app.config["MAIL_WORKER_INTERVAL"]
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    click.echo(f"mail worker started, every {interval:g} s")
    delay = interval
    while not stopping.is_set():
        try:
            report = run_once()
        except SQLAlchemyError as error:  # the database restarting: try again later, as for the SMTP server
            click.echo(f"database unavailable: {error}", err=True)
            report = None
        finally:
            db.session.remove()
        if report and (report.sent or report.failed or report.unreachable or report.reminders or report.digests):
            _report(report)
        delay = min(delay * 2, 600) if report is None or report.unreachable else interval
        stopping.wait(delay)
    click.echo("mail worker stopped")


def register(app: Flask) -> None:
    app.cli.add_command(consult_cli)
