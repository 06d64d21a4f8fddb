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
    message = str(error.message)
    details = "; ".join(
        f"{field}: {' '.join(map(str, messages))}"
        for field, messages in error.field_errors.items()
        if not all(str(text) in message for text in messages)
    )
    raise click.ClickException(f"{message}{' — ' + details if details else ''}")


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
@click.option("--consultation", "slug", default=None, help="Import a new document into this consultation.")
@click.option("--document", "document_id", type=int, default=None, help="Import the next draft of this document.")
@click.option("--title", default=None, help="The new document's title.")
@click.option("--language", default=None, help="The new document's language (detected from the text if not given).")
@click.option("--kind", default=None, help="The new document's kind (plan_draft if not given).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would be imported (the structure found, or the plan of the next draft) and change nothing.",
)
def import_draft_command(file, slug, document_id, title, language, kind, dry_run):
    """Import a UN document: a Word document (.docx), plain text or Markdown.

    With --consultation and --title, a new document: prints the structure found (chapters,
    paragraph numbers and first words, footnotes, lines skipped and why, warnings), then imports
    it unless --dry-run and prints its id last. With --document, the next draft of that document:
    prints the plan, one line per paragraph (kept, revised, new, retired or moved, with the old
    number → the new one), then applies it, unless --dry-run; the summary is the last line.
    """
    if (slug is None) == (document_id is None):
        raise click.UsageError("Give either --consultation (a new document) or --document (its next draft).")
    if document_id is not None:
        if title is not None or language is not None or kind is not None:
            raise click.UsageError("--title, --language and --kind are for a new document (--consultation).")
        _import_next_draft(file, document_id, dry_run)
        return
    if title is None:
        raise click.UsageError("A new document needs --title.")
    from consult.drafts.importer import describe
    from consult.drafts.services import get_consultation, import_document
    from consult.drafts.word_import import read_document

    try:
        consultation = get_consultation(slug)
        parsed = read_document(file.read_bytes(), language or None)
        for line in describe(parsed):
            click.echo(line)
        if dry_run:
            db.session.rollback()
            click.echo("Dry run: nothing imported.")
            return
        document = import_document(
            None, consultation, title=title, text=parsed, language=language, kind=kind or "plan_draft"
        )
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Imported {len(document.sections)} sections into “{document.title}”.")
    click.echo(document.id)


def _import_next_draft(file: Path, document_id: int, dry_run: bool) -> None:
    from consult.drafts import alignment
    from consult.drafts.services import get_document

    try:
        document = get_document(document_id)
        plan = alignment.plan(document, alignment.read(file.read_bytes()))
        for step in plan.steps:
            click.echo(step.line())
        if dry_run:
            db.session.rollback()
            click.echo(f"Plan: {plan.summary()} (dry run: nothing changed).")
            return
        alignment.apply(None, document, plan)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Applied: {plan.summary()}; the next release renumbers the paragraphs.")


@consult_cli.command("import-translation")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--document", "document_id", type=int, required=True)
@click.option("--language", required=True, help="The language of the file: ar, zh, en, fr, ru or es.")
def import_translation_command(file, document_id, language):
    """Store a UN document file (.docx, text or Markdown) as the translation of the document's current text.

    Its numbered paragraphs are matched to the working draft's by number, all or none; prints
    the number of paragraphs stored last.
    """
    from consult.drafts.services import get_document
    from consult.drafts.translations import import_translation
    from consult.drafts.word_import import read_document

    try:
        document = get_document(document_id)
        parsed = read_document(file.read_bytes())
        stored = import_translation(None, document, language=language, text=parsed)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Stored {len(stored)} paragraphs in “{language}” as the translation of “{document.title}”.")
    click.echo(len(stored))


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
