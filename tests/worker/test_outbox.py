"""Delivering outbox rows to a real SMTP server: lease, backoff, permanent failures."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.services import free_port
from webapp.extensions import db
from webapp.models._time import utcnow
from webapp.models.messages import OutboxEmail, OutboxStatus
from webapp.services import emails, outbox
from webapp.services.outbox import Outcome, backoff_seconds


def _queued(subject: str = "Hello", to: str = "sam@example.org") -> OutboxEmail:
    email = emails.queue(kind="test", to_address=to, subject=subject, body_text="Hi Sam")
    db.session.commit()
    return email


def test_a_pending_row_is_sent_once(app, faulty_smtp):  # type: ignore[no-untyped-def]
    email = _queued()
    assert outbox.deliver(email.id) is Outcome.SENT
    assert outbox.deliver(email.id) is Outcome.SKIPPED  # already sent: nothing happens
    [message] = faulty_smtp.wait_for(1)
    assert message["To"] == "sam@example.org"
    assert message["Subject"] == "Hello"
    assert message["Message-ID"] == f"<outbox-{email.id}@127.0.0.1>"
    assert message.get_content().strip() == "Hi Sam"
    db.session.refresh(email)
    assert email.status == OutboxStatus.SENT and email.sent_at is not None and email.attempts == 1
    assert email.claimed_until is None
    assert outbox.due_ids() == [] and outbox.pending_ids() == []


def test_an_unreachable_server_backs_off_and_stays_pending(app):  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    app.config.update(OUTBOX_RETRY_BASE_SECONDS=30, OUTBOX_RETRY_CAP_SECONDS=900)
    email = _queued()
    assert outbox.deliver(email.id) is Outcome.RETRY
    db.session.refresh(email)
    assert email.status == OutboxStatus.PENDING
    assert email.attempts == 1 and "ConnectionRefusedError" in email.last_error
    assert timedelta(seconds=25) < email.next_attempt_at - utcnow() <= timedelta(seconds=30)
    assert outbox.pending_ids() == [email.id]
    assert outbox.due_ids() == [], "not due again before its backoff"
    assert outbox.deliver(email.id) is Outcome.SKIPPED


def test_a_4xx_answer_is_retried_and_a_5xx_recipient_fails_at_once(app, faulty_smtp):  # type: ignore[no-untyped-def]
    app.config.update(OUTBOX_RETRY_BASE_SECONDS=0, OUTBOX_RETRY_CAP_SECONDS=0)
    faulty_smtp.mode = "tempfail"
    later = _queued()
    assert outbox.deliver(later.id) is Outcome.RETRY
    faulty_smtp.mode = "accept"
    assert outbox.deliver(later.id) is Outcome.SENT
    faulty_smtp.reject.add("nobody@example.org")
    bounced = _queued(to="nobody@example.org")
    assert outbox.deliver(bounced.id) is Outcome.FAILED
    db.session.refresh(bounced)
    assert bounced.status == OutboxStatus.FAILED and bounced.attempts == 1
    assert "550" in bounced.last_error
    assert outbox.deliver(bounced.id) is Outcome.SKIPPED
    assert outbox.due_ids() == []


def test_a_5xx_answer_to_the_message_fails_it(app, faulty_smtp):  # type: ignore[no-untyped-def]
    faulty_smtp.mode = "permfail"
    email = _queued()
    assert outbox.deliver(email.id) is Outcome.FAILED


def test_a_stalled_server_times_out_and_is_retried(app, faulty_smtp):  # type: ignore[no-untyped-def]
    app.config.update(SMTP_TIMEOUT=1)
    faulty_smtp.mode, faulty_smtp.stall_seconds = "stall", 3
    email = _queued()
    assert outbox.deliver(email.id) is Outcome.RETRY
    db.session.refresh(email)
    assert "timed out" in email.last_error.lower() or "Timeout" in email.last_error


def test_a_claimed_row_is_not_sent_by_a_second_worker(app, faulty_smtp):  # type: ignore[no-untyped-def]
    email = _queued()
    assert outbox.claim(email.id) is not None
    assert outbox.claim(email.id) is None, "the lease is held"
    assert outbox.deliver(email.id) is Outcome.SKIPPED
    assert outbox.due_ids() == []
    db.session.refresh(email)
    email.claimed_until = utcnow() - timedelta(seconds=1)  # the holder died; lease expired
    db.session.commit()
    assert outbox.due_ids() == [email.id]
    assert outbox.deliver(email.id) is Outcome.SENT
    assert faulty_smtp.message_ids() == [f"<outbox-{email.id}@127.0.0.1>"]


def test_attempts_are_capped(app):  # type: ignore[no-untyped-def]
    app.config.update(SMTP_PORT=free_port(), OUTBOX_MAX_ATTEMPTS=2, OUTBOX_RETRY_BASE_SECONDS=0)
    email = _queued()
    assert [outbox.deliver(email.id) for _ in range(3)] == [
        Outcome.RETRY,
        Outcome.RETRY,
        Outcome.FAILED,
    ]
    db.session.refresh(email)
    assert "gave up after 2 attempts" in email.last_error


def test_failed_emails_are_listed_for_the_community_organizers(app, faulty_smtp):  # type: ignore[no-untyped-def]
    from tests.worker import factories

    round_, _group, people = factories.published_round()
    faulty_smtp.reject.add(people[0].email)
    queued = emails.queue_match_emails(_group)
    db.session.commit()
    outcomes = [outbox.deliver(email.id) for email in queued]
    assert outcomes.count(Outcome.FAILED) == 1 and outcomes.count(Outcome.SENT) == 2
    [failed] = outbox.failed_emails(round_.community_id)
    assert failed.to_address == people[0].email and "550" in failed.last_error
    other = factories.community("Elsewhere")
    assert outbox.failed_emails(other.id) == []


def test_a_batch_shares_one_connection_and_a_refused_row_does_not_stop_it(app, faulty_smtp):  # type: ignore[no-untyped-def]
    faulty_smtp.reject.add("nobody@example.org")
    rows = [_queued(to=f"p{n}@example.org") for n in range(2)]
    rows += [_queued(to="nobody@example.org")] + [_queued(to=f"q{n}@example.org") for n in range(2)]
    outcomes = outbox.deliver_many(r.id for r in rows)
    assert list(outcomes.values()) == [Outcome.SENT] * 2 + [Outcome.FAILED] + [Outcome.SENT] * 2
    assert faulty_smtp.connections == 1
    assert sorted(faulty_smtp.message_ids()) == sorted(
        f"<outbox-{r.id}@127.0.0.1>" for r in rows if r.to_address != "nobody@example.org"
    )
    assert outbox.deliver_many(r.id for r in rows) == dict.fromkeys(
        [r.id for r in rows], Outcome.SKIPPED
    ), "a batch delivered again is a no-op"


def test_a_batch_stops_after_two_broken_connections(app):  # type: ignore[no-untyped-def]
    app.config.update(SMTP_PORT=free_port(), OUTBOX_RETRY_BASE_SECONDS=30)
    rows = [_queued(to=f"p{n}@example.org") for n in range(5)]
    assert set(outbox.deliver_many(r.id for r in rows).values()) == {Outcome.RETRY}
    for row in rows:
        db.session.refresh(row)
    errors = [r.last_error for r in rows]
    assert [e.startswith("not tried") for e in errors] == [False] * 2 + [True] * 3
    assert all("ConnectionRefusedError" in e for e in errors)
    assert all(r.attempts == 1 and r.next_attempt_at > utcnow() for r in rows)


def test_rows_not_started_within_half_the_lease_are_handed_back(app, faulty_smtp):  # type: ignore[no-untyped-def]
    app.config.update(OUTBOX_LEASE_SECONDS=0)  # half the lease is over before the first row
    rows = [_queued(to=f"p{n}@example.org") for n in range(3)]
    assert set(outbox.deliver_many(r.id for r in rows).values()) == {Outcome.SKIPPED}
    for row in rows:
        db.session.refresh(row)
        assert row.status == OutboxStatus.PENDING and row.claimed_until is None
        assert row.attempts == 0, "an attempt that never happened does not count"
    assert sorted(outbox.due_ids()) == sorted(r.id for r in rows)
    assert faulty_smtp.messages == []


def test_the_sweeper_splits_rows_tried_before_from_fresh_ones(app):  # type: ignore[no-untyped-def]
    fresh, tried = _queued(), _queued(to="again@example.org")
    tried.attempts = 1
    db.session.commit()
    assert outbox.due_ids(attempted=False) == [fresh.id]
    assert outbox.due_ids(attempted=True) == [tried.id]
    assert sorted(outbox.due_ids()) == sorted([fresh.id, tried.id])


@given(st.integers(min_value=1, max_value=200), st.floats(0.1, 100), st.floats(1, 10_000))
def test_backoff_doubles_up_to_the_cap(attempts: int, base: float, cap: float) -> None:
    delay = backoff_seconds(attempts, base, cap)
    assert 0 < delay <= cap
    assert delay == min(cap, base * 2 ** (attempts - 1))
    assert backoff_seconds(attempts + 1, base, cap) >= delay


def test_claims_and_marks_commit_without_waiting_for_the_wal_on_postgresql(app):  # type: ignore[no-untyped-def]
    # The claim and each mark carry `set_config('synchronous_commit', 'off', true)` in
    # the statement itself: in force for that transaction only, gone after its commit.
    import pytest
    from sqlalchemy import text, update

    if db.engine.dialect.name != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    email = _queued()
    setting = text("SHOW synchronous_commit")
    assert db.session.scalar(setting) == "on"
    table = OutboxEmail.__table__
    marked = db.session.execute(
        outbox._relaxed(update(table).where(table.c.id == email.id).values(last_error="x"))
    )
    assert marked.rowcount == 1, "the row is still updated"
    assert db.session.scalar(setting) == "off"
    db.session.commit()
    assert db.session.scalar(setting) == "on", "local to the transaction"
    [row] = outbox.claim_many([email.id])
    assert row.id == email.id and row.attempts == 1


def test_bodies_live_out_of_line_so_marking_a_row_rewrites_little(app):  # type: ignore[no-untyped-def]
    # Migration 0011: on PostgreSQL the outbox keeps bodies in its TOAST table, so the
    # row an update copies is a few hundred bytes however long the email.
    import secrets

    import pytest
    from sqlalchemy import text

    if db.engine.dialect.name != "postgresql":
        pytest.skip("TOAST is PostgreSQL's")
    db.session.execute(text("TRUNCATE outbox_emails"))
    db.session.commit()
    for n in range(200):  # ~3 KB of bodies each that compress little (hex)
        emails.queue(
            kind="test",
            to_address=f"m{n}@example.org",
            subject="Hello",
            body_text=secrets.token_hex(600),
            body_html=secrets.token_hex(600),
            calendar_ics=secrets.token_hex(300),
        )
    db.session.commit()
    heap = db.session.scalar(text("SELECT pg_relation_size('outbox_emails')"))
    total = db.session.scalar(text("SELECT pg_total_relation_size('outbox_emails')"))
    assert heap < 200 * 400, f"{heap / 200:.0f} bytes of row per email"
    assert total > 200 * 2400, "the bodies are stored, out of line"
