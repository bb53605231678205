"""One SMTP connection reused for a batch of outbox rows, reopened when it breaks.

Opening a connection (TCP, greeting, EHLO, maybe STARTTLS and AUTH) costs several round
trips; a worker sending a batch pays it once. A refusal of one message (4xx/5xx to MAIL,
RCPT or DATA) leaves the connection usable (smtplib resets the transaction); anything that
breaks it (a timeout, a dropped connection, 421) closes it, and the next message opens a
fresh one. Failures while opening are `UnavailableError`: about the server, never about one
message, so they are always retried.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from typing import Any


class UnavailableError(Exception):
    """The SMTP server could not be reached or would not take a session (always temporary)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


class SmtpSession:
    """Lazily opened SMTP connection with the app's settings; use as a context manager."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.conn: smtplib.SMTP | None = None
        #: Connections that could not be opened or broke since the last message went through.
        self.breakdowns = 0

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Send one message; raises UnavailableError, an smtplib error or OSError on failure."""
        if self.conn is None:
            self.conn = self._open()
        try:
            self.conn.sendmail(sender, [recipient], data)
        except OSError as exc:  # smtplib's errors are OSErrors too
            if self.conn.sock is None or isinstance(exc, smtplib.SMTPServerDisconnected):
                self.breakdowns += 1  # smtplib closed it (timeout, 421, dropped): reopen
                self._drop()
            else:
                self.breakdowns = 0  # the server answered: the connection is fine
            raise
        self.breakdowns = 0

    def _open(self) -> smtplib.SMTP:
        config = self.config
        try:
            conn = smtplib.SMTP(
                config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
            )
        except OSError as exc:
            self.breakdowns += 1
            raise UnavailableError(exc) from exc
        try:
            if config["SMTP_TLS"]:
                conn.starttls()
            if config["SMTP_USER"]:
                conn.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        except OSError as exc:
            self.breakdowns += 1
            conn.close()
            raise UnavailableError(exc) from exc
        return conn

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def close(self) -> None:
        """Say goodbye politely if the connection is open; never raises."""
        if self.conn is None:
            return
        try:
            self.conn.quit()
        except OSError:
            pass
        finally:
            self._drop()
