"""An SMTP server (aiosmtpd) whose behaviour a test switches: accept, 4xx, 5xx, stall, down.

`mode` applies to every message; `reject` holds addresses answered 550 at RCPT (a
permanent failure); `stop()`/`start()` make the port refuse connections and come back.
"stall" hangs after DATA for `stall_seconds`, then gives up with 451 without keeping the
message (a server that hangs; the client's timeout fires first).
`on_accept(message)` runs once a message is stored, before the client hears "250" (the
fault tests hold the outbox row there, so the worker is provably between "accepted" and
"marked sent" when it is killed).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class FaultySmtp:
    """The handler and its controller, on a fixed port that survives stop/start."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mode = "accept"  # accept | tempfail | permfail | stall
        self.reject: set[str] = set()
        self.stall_seconds = 30.0
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()
        self.on_accept: Callable[[EmailMessage], None] | None = None
        #: Connections opened so far (a worker reuses one for a batch of messages).
        self.connections = 0
        self._controller: Controller | None = None

    def start(self) -> None:
        """Listen (again) on the port."""
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Close the port: connections are refused until `start()`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address in self.reject:
            return "550 5.1.1 No such user here"
        if self.mode == "tempfail":
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        if self.mode == "stall":
            await asyncio.sleep(self.stall_seconds)
            return "451 4.4.2 Gave up waiting"
        if self.mode == "permfail":
            return "554 5.6.0 Message rejected"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        if self.on_accept is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_accept, message)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 60) -> list[EmailMessage]:
        """Block until at least `count` messages arrived (fail after `timeout` seconds)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                pytest.fail(f"expected {count} emails, got {len(self.messages)} in {timeout}s")
            return list(self.messages)

    def message_ids(self) -> list[str]:
        """The Message-ID of every accepted message, in arrival order."""
        with self.arrived:
            return [str(m["Message-ID"]) for m in self.messages]
