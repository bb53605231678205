"""Turning an outbox row into the RFC 5322 message that goes over SMTP.

The Message-ID is derived from the row's id, so a re-send after a crash is recognisably
the same message (mail clients and servers drop the duplicate). The sender's display name
is the community's; non-essential mail carries `List-Unsubscribe` with one-click POST
(RFC 8058); a calendar invite travels as a text/calendar alternative (what mail clients
show as an invitation) and as an `invite.ics` attachment. Every name and subject passes
through `header_text`, so no control character (CR/LF above all) reaches a header.
"""

from __future__ import annotations

import re
import secrets
from base64 import encodebytes
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.policy import Compat32
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from typing import Any

from flask import current_app

from webapp.models.messages import OutboxEmail

#: An outbox row: the ORM object, or the Row that `outbox.claim` returns.
EmailRow = OutboxEmail | Any

_METHOD = re.compile(r"^METHOD:(\w+)\r?$", re.MULTILINE)


def mail_domain() -> str:
    """The host part used in Message-IDs and calendar UIDs (from BASE_URL)."""
    host = current_app.config["BASE_URL"].split("//")[-1].split("/")[0].split(":")[0]
    return host or "hearth"


def message_id(email: EmailRow) -> str:
    """A Message-ID derived from the row, so a re-send is recognisably the same message."""
    return f"<outbox-{email.id}@{mail_domain()}>"


#: Line breaks and every other control character: none may reach a header, where a CR or
#: LF would start a new header (`Bcc:`) or the body (header injection, issue 8 item 9).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_text(value: str | None) -> str:
    """A name or subject made safe for one header line: control characters become a
    space, runs of spaces collapse, and the ends are trimmed."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


@lru_cache(maxsize=8)
def _mail_from(setting: str) -> tuple[str, str]:
    """MAIL_FROM's display name and address, parsed once per value (parsing it for
    every email was a tenth of a delivery worker's time)."""
    name, address = parseaddr(setting)
    return name, address or "hearth@localhost"


def sender(email: EmailRow) -> str:
    """MAIL_FROM's address, shown under the community's name when the row names one."""
    default_name, address = _mail_from(current_app.config["MAIL_FROM"])
    name = header_text(email.sender_name) or header_text(default_name)
    return formataddr((name, address), "utf-8")


def envelope_sender() -> str:
    """The bare address for SMTP's MAIL FROM."""
    return _mail_from(current_app.config["MAIL_FROM"])[1]


def _header(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


def build_message(email: EmailRow) -> Message:
    """The full message for an outbox row: headers, text, HTML and any invite.

    Built as classic (compat32) messages: three times faster than EmailMessage for the
    same bytes, which is most of a worker's time per email. The leaves are written
    directly (`_base64_part`), the bytes MIMEText and MIMEApplication would give, without
    their charset and parameter bookkeeping (a fifth of the time to build a match email;
    tests/web/security/test_output.py compares the two). Every leaf is base64 (utf-8
    text, the attachment), so a boundary with "_" in it can never occur inside a part;
    giving one saves the generator searching each message for a random one that does not
    (an eighth of a worker's time per email).
    """
    text = _base64_part("text/plain", email.body_text)
    if not email.body_html and not email.calendar_ics:
        return _with_headers(text, email)
    token = secrets.token_hex(8)
    body = MIMEMultipart("alternative", boundary=f"==_alternative_{token}")
    body.attach(text)
    if email.body_html:
        body.attach(_base64_part("text/html", email.body_html))
    msg: Message = body
    if email.calendar_ics:
        found = _METHOD.search(email.calendar_ics)
        method = found.group(1) if found else "PUBLISH"
        body.attach(_base64_part("text/calendar", email.calendar_ics, method=method))
        attachment = _base64_part("application/ics", email.calendar_ics, attachment="invite.ics")
        msg = MIMEMultipart("mixed", boundary=f"==_mixed_{token}")
        msg.attach(body)
        msg.attach(attachment)
    return _with_headers(msg, email)


def _base64_part(
    content_type: str, content: str, *, method: str = "", attachment: str = ""
) -> Message:
    """A utf-8 leaf in base64, header for header what MIMEText(content, subtype, "utf-8")
    (with `method` set as a parameter) or, for an `attachment`, MIMEApplication with
    Content-Disposition writes. `method` is a word (`_METHOD`), the file name a constant."""
    part = Message()
    if attachment:
        kind = content_type  # application/ics: no charset parameter
    else:
        kind = f'{content_type}; charset="utf-8"' + (f'; method="{method}"' if method else "")
    if not method:  # set_param("method", ...) moves Content-Type to the end
        part["Content-Type"] = kind
    part["MIME-Version"] = "1.0"
    part["Content-Transfer-Encoding"] = "base64"
    if attachment:
        part["Content-Disposition"] = f'attachment; filename="{attachment}"'
    if method:
        part["Content-Type"] = kind
    part.set_payload(encodebytes(content.encode()).decode("ascii"))
    return part


def _with_headers(msg: Message, email: EmailRow) -> Message:
    msg["From"] = sender(email)
    msg["To"] = header_text(email.to_address)
    msg["Subject"] = _header(header_text(email.subject))
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(email)
    msg["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg


#: Printable ASCII and tabs: header values compat32 writes unchanged when they fit a line.
_PLAIN = re.compile(r"[\t\x20-\x7e]*")


class _SmtpPolicy(Compat32):
    """compat32 with a short cut for the headers nearly every message is made of.

    compat32 folds each header through `email.header.Header`, even a short ASCII one that
    comes out unchanged, 23 times per match email (MIME parts included). A str header of
    printable ASCII (tabs allowed, no other control character) that fits on one line is
    written as it is: the bytes compat32 would write
    (tests/web/security/test_output.py checks that against compat32 itself); anything
    else takes compat32's own path.
    """

    def _fold(self, name: str, value: object, sanitize: bool) -> str:
        limit = self.max_line_length
        if (
            isinstance(value, str)
            and limit
            and len(name) + 2 + len(value) <= limit
            and _PLAIN.fullmatch(value)
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


#: Serialise with CRLF line ends, as SMTP wants them on the wire.
SMTP_POLICY = _SmtpPolicy(linesep="\r\n")
