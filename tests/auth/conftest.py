"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, and mail helpers."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

_LINK_RE = re.compile(r"https?://\S+/auth/reset/\S+")


class Inbox:
    """An aiosmtpd handler that stores every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def only_message_to(self, address: str) -> EmailMessage:
        assert [m["To"] for m in self.messages] == [address]
        return self.messages[0]


def reset_link_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = _LINK_RE.search(body.get_content())
    assert match, "no reset link in the mail"
    return match.group(0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """The app sends its mail to a local SMTP server whose messages land here."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(QUIZAPP_SMTP_HOST="127.0.0.1", QUIZAPP_SMTP_PORT=controller.port)
    try:
        yield handler
    finally:
        controller.stop()
