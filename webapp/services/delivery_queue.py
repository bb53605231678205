"""Publishing delivery tasks only after the transaction that wrote the outbox rows commits.

Any `OutboxEmail` added through the ORM is noticed at flush; once the outermost transaction
commits, one `hearth.send_emails` task per batch of up to `SEND_BATCH` rows is published
(a worker sends a batch over one SMTP connection). A rollback forgets them, so a task is
never published for a row that does not exist. `after_commit(callable)` offers the
same guarantee for any other side effect. Publishing failures (broker down) are logged and
swallowed: the row is committed, and the periodic sweeper queues it once the broker is back.

Account emails (ACCOUNT_KINDS: a password reset, an address to confirm) have someone
waiting for them right now, so their tasks go to the quick "notifications" queue instead of
the "email" queue, where thousands of match emails may be waiting after a deadline (issue
16's deadline bench measured a reset p99 of 57 s behind them). The task is the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models.messages import OutboxEmail

log = logging.getLogger(__name__)

#: Rows per delivery task. A batch is sent over one SMTP connection, and each row is still
#: marked on its own, so a bigger batch only saves broker round trips and handshakes.
SEND_BATCH = 50

#: Kinds of account email (webapp.services.accounts.queue_account_email): a person waits.
ACCOUNT_KINDS = frozenset(
    {
        "password_reset",
        "confirm_email",
        "confirm_new_email",
        "email_taken",
        "signup_attempt",
        "account_notice",
    }
)
#: The queue kind (webapp.config.queue_names) their delivery tasks go to.
ACCOUNT_QUEUE_KIND = "notifications"

_IDS = "outbox_ids_to_publish"
_ACCOUNT_IDS = "account_outbox_ids_to_publish"
_CALLBACKS = "after_commit_callbacks"


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once the current transaction of `db.session` commits (never on rollback)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before the next commit drops the callback
    session.info.setdefault(_CALLBACKS, []).append(callback)


def publish(email_ids: Iterable[int], batch: int = SEND_BATCH, *, account: bool = False) -> int:
    """Publish send tasks for these ids now, `batch` ids per task (to the account emails'
    queue when `account`); return how many ids made it to the broker."""
    ids = list(email_ids)
    if not ids or not has_app_context():
        return 0
    celery = current_app.extensions["celery"]
    options = {"queue": account_queue()} if account else {}
    sent = 0
    try:
        with celery.producer_or_acquire() as producer:
            for start in range(0, len(ids), batch):
                chunk = ids[start : start + batch]
                celery.send_task("hearth.send_emails", args=[chunk], producer=producer, **options)
                sent += len(chunk)
    except Exception as exc:  # noqa: BLE001 (any broker failure: the sweeper recovers)
        log.warning(
            "could not queue %s of %s emails (%s); the sweeper will",
            len(ids) - sent,
            len(ids),
            type(exc).__name__,
        )
    return sent


def account_queue() -> str:
    """The name of the queue account emails' delivery tasks go to, for this app."""
    return str(current_app.config["TASK_QUEUE_NAMES"][ACCOUNT_QUEUE_KIND])


@event.listens_for(Session, "after_flush")
def _collect_new_outbox_rows(session: Session, _context: object) -> None:
    for obj in session.new:
        if isinstance(obj, OutboxEmail):
            key = _ACCOUNT_IDS if obj.kind in ACCOUNT_KINDS else _IDS
            session.info.setdefault(key, []).append(obj.id)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    ids = session.info.pop(_IDS, [])
    account_ids = session.info.pop(_ACCOUNT_IDS, [])
    callbacks = session.info.pop(_CALLBACKS, [])
    if account_ids:
        publish(account_ids, account=True)
    if ids:
        publish(ids)
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 (the commit stands; report and go on)
            log.exception("after-commit callback %r failed", callback)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: object) -> None:
    if getattr(previous_transaction, "nested", False):
        return  # a savepoint: the outer transaction may still commit
    session.info.pop(_IDS, None)
    session.info.pop(_ACCOUNT_IDS, None)
    session.info.pop(_CALLBACKS, None)
