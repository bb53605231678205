"""Output safety (issue 8, item 9): markup in names and notes renders escaped, no email
header can be injected through a name or title, CSV exports neutralise formula cells."""

from __future__ import annotations

import csv
import io
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from tests.helpers import fill_profile, sign_up
from webapp.extensions import db
from webapp.models import Member, OptIn, OutboxEmail
from webapp.services import accounts
from webapp.services.dashboard_export import to_csv
from webapp.services.email_format import build_message

MARKUP = "<script>alert(1)</script><img src=x>"


def test_markup_in_a_name_renders_escaped(app, client) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org", name="Sam")
    response = fill_profile(client, MARKUP, "chess, go", ["2-afternoon"])
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Member.display_name)) == MARKUP
    for page in ("/me", "/me/profile", "/account"):
        html = client.get(page).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in client.get("/me/profile").get_data(as_text=True)


def test_crlf_in_a_display_name_never_reaches_a_header(app) -> None:  # type: ignore[no-untyped-def]
    accounts.sign_up("eve@example.org", "a long enough passphrase", "Eve\r\nBcc: x@evil.example")
    name = db.session.scalar(select(Member.display_name))
    assert "\r" not in name and "\n" not in name
    for row in db.session.scalars(select(OutboxEmail)):
        parsed = message_from_string(build_message(row).as_string())
        assert parsed.get_all("Bcc") is None
        assert "\n" not in (row.subject or "") and "\r" not in (row.subject or "")


HOSTILE = "Hi\r\nBcc: x@evil.example\r\n\r\nbody"


@pytest.mark.parametrize("field", ["subject", "sender_name"])
@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r", "\x0b", "\x85", "\u2028", "\x00"])
def test_line_breaks_in_subject_or_sender_name_are_flattened(app, field, breaker) -> None:  # type: ignore[no-untyped-def]
    row = OutboxEmail(
        id=1,
        kind="message",
        to_address="sam@example.org",
        subject="Hello",
        sender_name="Chess Club",
        body_text="hi",
    )
    setattr(row, field, HOSTILE.replace("\r\n", breaker))
    parsed = message_from_string(build_message(row).as_string())
    assert parsed.get_all("Bcc") is None
    header = "Subject" if field == "subject" else "From"
    assert "Bcc: x@evil.example body" in str(make_header(decode_header(parsed[header])))
    assert parsed.get_payload(decode=True) == b"hi"


def test_hostile_names_sent_over_smtp_reach_only_the_member(app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    """The whole path: a community name (the sender's display name) and an organizer's
    subject with CR/LF, queued by the real services and sent by the real delivery code to
    a real SMTP server."""
    from tests.web.members.world import matched_group, open_meetup, person
    from webapp.services import outbox
    from webapp.services.communities import create_community, join
    from webapp.services.invites import queue_match_emails
    from webapp.services.messaging import send_message

    organizer, sam = person("Olivia"), person("Sam")
    community = create_community(organizer, "Chess Club")
    join(sam, community)
    community.name = "Chess Club\r\nBcc: x@evil.example"  # as if stored before any check
    db.session.commit()
    meetup = open_meetup(community)
    group = matched_group(meetup, [sam])
    ids = [email.id for email in queue_match_emails(group)]
    db.session.commit()
    ids += send_message(meetup, organizer, "all", HOSTILE, "Bring a board.\r\nBcc: no")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    assert [outbox.deliver(email_id).name for email_id in ids] == ["SENT", "SENT"]
    received = smtp_server.wait_for(2)
    assert len(received) == 2
    names = set()
    for message in received:
        assert message.get_all("Bcc") is None and message["To"] == "sam@example.org"
        assert set(message.keys()) <= {
            "From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
            "Content-Type", "MIME-Version", "Content-Transfer-Encoding",
            "List-Unsubscribe", "List-Unsubscribe-Post",
        }  # fmt: skip
        sender = message["From"].addresses[0]
        assert sender.addr_spec == "hearth@localhost"
        names.add(sender.display_name)
        for text in (sender.display_name, str(message["Subject"])):
            assert "\n" not in text and "\r" not in text
    assert "Chess Club Bcc: x@evil.example" in names  # the match email, under the community


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_starting_with_formula_characters_are_neutralised(start) -> None:
    text = to_csv(["name"], [[start + "HYPERLINK(1)"], ["Sam"], [3]])
    cells = [row[0] for row in csv.reader(io.StringIO(text))]
    assert cells[1] == "'" + start + "HYPERLINK(1)"
    assert cells[2:] == ["Sam", "3"]


def test_the_csv_download_neutralises_names_and_titles(app) -> None:  # type: ignore[no-untyped-def]
    """Through the organizer's download: a member's name and a meetup title crafted as
    formulas arrive as text (the member was left unplaced twice, so is on the left-out list)."""
    from tests.web.members.world import (
        community_with,
        matched_group,
        move_to_past,
        open_meetup,
        person,
    )
    from tests.web.organizer.conftest import logged_in_client

    organizer, ana, ben = person("Olivia"), person("Ana"), person("Ben")
    hostile = person("Mallory")
    hostile.display_name = '=HYPERLINK("http://evil.example")'
    community = community_with([hostile, ana, ben], organizer=organizer)
    for days in (3, 5):
        meetup = open_meetup(community, days=days)
        meetup.title = "@SUM(1+1)"
        db.session.add(OptIn(meetup_id=meetup.id, member_id=hostile.id))
        matched_group(meetup, [ana, ben])
        move_to_past(meetup)
    client = logged_in_client(app, organizer)
    cells = []
    for name in ("left-out", "meetups"):
        response = client.get(f"/organize/{community.slug}/dashboard/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        text = response.get_data(as_text=True)
        cells += [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + hostile.display_name in cells and "'@SUM(1+1)" in cells
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_boundary_like_text_in_every_part_cannot_split_a_message(app) -> None:  # type: ignore[no-untyped-def]
    # build_message names its own boundaries ("==_alternative_<random>"); parts are base64,
    # so even text made of boundary lookalikes comes back exactly as written.
    lookalike = "--==_alternative_0\r\n--==_mixed_0--\r\n\r\nContent-Type: text/html\r\n"
    row = OutboxEmail(
        id=7,
        kind="match",
        to_address="sam@example.org",
        subject="Your group",
        body_text=f"text {lookalike} é",
        body_html=f"<p>html {lookalike}</p>",
        calendar_ics=f"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nX-NOTE:{lookalike}END:VCALENDAR\r\n",
    )
    first, second = (build_message(row).as_string() for _ in range(2))
    parsed = message_from_string(first)
    leaves = [part for part in parsed.walk() if not part.is_multipart()]
    assert [part.get_content_type() for part in leaves] == [
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]
    assert leaves[0].get_payload(decode=True).decode() == row.body_text
    assert leaves[1].get_payload(decode=True).decode() == row.body_html
    assert leaves[2].get_payload(decode=True).decode() == row.calendar_ics
    assert leaves[3].get_payload(decode=True).decode() == row.calendar_ics
    assert parsed.get_boundary() != message_from_string(second).get_boundary()


def test_the_smtp_policy_writes_every_header_as_compat32_does(app) -> None:  # type: ignore[no-untyped-def]
    # SMTP_POLICY writes short ASCII headers without folding them through email.header;
    # whatever the value (spaces, tabs, control characters, encoded-word lookalikes,
    # non-ASCII, CR/LF, any length around the line limit), the bytes must be compat32's.
    import random
    import string
    from email.policy import compat32

    from webapp.services.email_format import SMTP_POLICY

    reference = compat32.clone(linesep="\r\n")
    rng = random.Random(8)
    alphabet = string.printable + "\x00\x7f é€"
    values = ["", " ", "a  b", " lead", "trail ", "x\ty", "=?utf-8?q?hi?=", "a\r\nBcc: x@y"]
    values += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 90))) for _ in range(5000)
    ]
    names = ("Subject", "Content-Type", "List-Unsubscribe-Post", "X")

    def written(policy, name: str, value: str) -> str:  # type: ignore[no-untyped-def]
        try:
            return policy._fold(name, value, False)
        except Exception as exc:  # noqa: BLE001 (compat32 refuses an embedded header)
            return f"refused: {type(exc).__name__}"

    for value in values:
        for name in names:
            assert written(SMTP_POLICY, name, value) == written(reference, name, value)
    assert written(SMTP_POLICY, "Subject", "a\r\nBcc: x@y").startswith("refused")

    row = OutboxEmail(
        id=9,
        kind="match",
        to_address="sam@example.org",
        subject="Ünïcode " * 12,
        body_text="t",
        body_html="<p>h</p>",
        calendar_ics="BEGIN:VCALENDAR\r\n",
    )
    message = build_message(row)
    assert message.as_bytes(policy=SMTP_POLICY).replace(
        message["Date"].encode(), b""
    ) == message.as_bytes(policy=reference).replace(message["Date"].encode(), b"")


def _reference_message(row: OutboxEmail):  # type: ignore[no-untyped-def]
    """The message as the email package's MIME classes build it (what build_message
    built before it wrote its leaves itself), with build_message's boundaries."""
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    built = build_message(row)
    text = MIMEText(row.body_text, "plain", "utf-8")
    if not row.body_html and not row.calendar_ics:
        reference = text
    else:
        outer_boundary = built.get_boundary()
        inner = built if not row.calendar_ics else built.get_payload(0)
        body = MIMEMultipart("alternative", boundary=inner.get_boundary())
        body.attach(text)
        if row.body_html:
            body.attach(MIMEText(row.body_html, "html", "utf-8"))
        reference = body
        if row.calendar_ics:
            invite = MIMEText(row.calendar_ics, "calendar", "utf-8")
            invite.set_param(
                "method", "REQUEST" if "METHOD:REQUEST" in row.calendar_ics else "PUBLISH"
            )
            body.attach(invite)
            attachment = MIMEApplication(row.calendar_ics.encode(), "ics")
            attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
            reference = MIMEMultipart("mixed", boundary=outer_boundary)
            reference.attach(body)
            reference.attach(attachment)
    for name, value in built.items():
        if name not in {"Content-Type", "MIME-Version", "Content-Transfer-Encoding"}:
            reference[name] = value
    return built, reference


@pytest.mark.parametrize(
    ("text", "html", "ics"),
    [
        ("Hi Sam", "", ""),
        ("", "", ""),
        ("Grüße, Ünïcode € " * 40, "<p>é</p>" * 30, ""),
        (
            "text",
            "<p>html</p>",
            "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Café\r\nEND:VCALENDAR\r\n",
        ),
        ("text", "", "BEGIN:VCALENDAR\r\nSUMMARY:x\r\nEND:VCALENDAR\r\n" * 20),
    ],
)
def test_messages_are_byte_for_byte_what_the_mime_classes_build(app, text, html, ics) -> None:  # type: ignore[no-untyped-def]
    from webapp.services.email_format import SMTP_POLICY

    row = OutboxEmail(
        id=11,
        kind="match",
        to_address="sam@example.org",
        subject="Your group",
        body_text=text,
        body_html=html,
        calendar_ics=ics,
    )
    built, reference = _reference_message(row)
    assert built.as_bytes(policy=SMTP_POLICY) == reference.as_bytes(policy=SMTP_POLICY)
