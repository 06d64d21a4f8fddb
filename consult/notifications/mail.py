"""Turning an outbox message into e-mail, and handing it to an SMTP server (or to the log).

A message is multipart text and HTML in its recipient's language (``Content-Language``), with the
link to the page concerned, its own Message-ID (chosen when it was written, so that a resend is
the same message) and, for invitations, the iCalendar object both inline and as an attachment.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.models import Notification

# Refusals that concern one message (its sender, recipient or content): it is tried again later,
# while the others are sent. Any other failure means the server cannot be used now.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class ServerUnreachable(Exception):
    """The SMTP server could not be reached or would not take mail at all."""


def compose(notification: Notification, link: str | None) -> EmailMessage:
    """The e-mail for one message; ``link`` is the absolute address of the page concerned, if any."""
    config = current_app.config
    recipient = notification.recipient
    preferences = config["BASE_URL"] + current_app.url_map.bind("localhost").build("account.notification_preferences")
    with force_locale(notification.language):
        footer = _(
            "You receive this because you have an account on Consult. Choose what you hear about: %(url)s",
            url=preferences,
        )
        open_label = _("Open in Consult")
        text = notification.body
        if link:
            text += f"\n\n{open_label}: {link}"
        text += f"\n\n-- \n{footer}\n"
        html = current_app.jinja_env.get_template("notifications/mail.html").render(
            notification=notification,
            paragraphs=[part for part in notification.body.split("\n\n") if part.strip()],
            link=link,
            open_label=open_label,
            preferences=preferences,
            direction="rtl" if notification.language == "ar" else "ltr",
        )
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((recipient.name, recipient.email))
    message["Subject"] = notification.subject
    message["Date"] = format_datetime(notification.created_at)
    message["Message-ID"] = notification.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if notification.calendar:
        method = "CANCEL" if "METHOD:CANCEL" in notification.calendar else "REQUEST"
        message.add_alternative(notification.calendar, subtype="calendar", params={"method": method})
        message.add_attachment(
            notification.calendar.encode(), maintype="application", subtype="ics", filename="invitation.ics"
        )
    # After the content: setting it clears every Content-* header.
    message["Content-Language"] = notification.language
    return message


class SMTPTransport:
    """One connection to MAIL_SERVER for as many messages as there are; opened at the first."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
        try:
            if config["MAIL_USE_SSL"]:
                connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(host, port, timeout=timeout)
                if config["MAIL_USE_TLS"]:
                    connection.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except (OSError, smtplib.SMTPException) as error:
            raise ServerUnreachable(f"{host}:{port}: {error}") from error
        return connection

    def send(self, message: EmailMessage) -> None:
        """Send, or raise one of MESSAGE_ERRORS (this message) or ServerUnreachable (any message)."""
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except MESSAGE_ERRORS:
            raise
        except (OSError, smtplib.SMTPException) as error:
            self.connection = None
            raise ServerUnreachable(f"{self.config['MAIL_SERVER']}: {error}") from error

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


class LogTransport:
    """Without MAIL_SERVER (development, ``make run``): each message is written to the log instead."""

    def __init__(self):
        self.logger = current_app.logger.getChild("mail")
        if self.logger.level == logging.NOTSET:
            self.logger.setLevel(logging.INFO)

    def send(self, message: EmailMessage) -> None:
        text = message.get_body(("plain",)).get_content()
        self.logger.info(
            "Mail not sent (no MAIL_SERVER) %s\nTo: %s\nSubject: %s\n\n%s",
            message["Message-ID"],
            message["To"],
            message["Subject"],
            text,
        )

    def close(self) -> None:
        pass


def transport():
    config = current_app.config
    return SMTPTransport(config) if config["MAIL_SERVER"] else LogTransport()
