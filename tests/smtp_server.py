"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives; the ``smtp`` fixture
(tests/conftest.py) starts one and points the app at it."""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller

from consult.notifications.delivery import run_once


class Inbox:
    """What the SMTP server received, message by message; addresses in ``refused`` are refused (550)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]

    def ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class SMTPServer:
    """aiosmtpd on a fixed free port, so that it can be stopped and started again at the same address."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def send():
    """What `flask consult send-mail` does, in the test's context."""
    return run_once()


def body_text(message) -> str:
    return message.get_body(("plain",)).get_content()
