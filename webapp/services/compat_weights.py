"""The learned compatibility model in matching, with its fallback to the plain weight.

`matching.build_instance` calls `with_learned_terms(instance, meetup_id, community_id)`:
when the community's newest model is adopted (it beat the plain weight on the later
meetups) and the organizer has not switched learning off, the model's terms
(`worker.compat.instance_terms`: interest and about weights, learned bonds for pairs with
history) are merged into the instance. Anything else leaves the instance exactly as
the plain weight makes it, and never raises: no model yet, the newest one not adopted,
switched off, a model of an older feature set, corrupt JSON, or any error while computing
the terms. Each run logs which it was (with the community id) and records it on the
community's `CompatSetting`, on a short transaction of its own (like `match_progress`), so
the organizer's page can say why, and a rolled-back run cannot take it back. The model row
and the switch are read on a connection of their own too, so nothing about them can break
the matching run's transaction. A training in progress writes a new row only when it is
done: matching keeps using the newest complete one meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.extensions import db
from webapp.models._time import utcnow
from webapp.models.compat import CompatModel, CompatSetting
from webapp.services import compat_facts
from worker.compat import FEATURE_SET_VERSION, ModelError, instance_terms, merge_terms
from worker.compat import CompatModel as LearnedModel

log = logging.getLogger(__name__)

#: Why matching did (IN_USE) or did not use the learned model; the page words each one.
IN_USE = "in_use"
SWITCHED_OFF = "switched_off"
NO_MODEL = "no_model"
NOT_ADOPTED = "not_adopted"
OLD_FEATURE_SET = "old_feature_set"
CORRUPT = "corrupt"
FAILED = "failed"
#: Codes that mean something went wrong (logged as warnings), not a normal state.
PROBLEMS = (OLD_FEATURE_SET, CORRUPT, FAILED)


@dataclass(frozen=True)
class Choice:
    """What matching does with the community's model: its code, details, and the model
    row and loaded model when it is used."""

    code: str
    detail: str = ""
    version: int | None = None
    model: LearnedModel | None = None  # the loaded model when code == IN_USE


def latest_model(community_id: int, connection=None) -> CompatModel | None:  # type: ignore[no-untyped-def]
    """The community's newest model row (read through `connection` when given)."""
    query = (
        select(CompatModel)
        .where(CompatModel.community_id == community_id)
        .order_by(CompatModel.version.desc())
        .limit(1)
    )
    if connection is None:
        return db.session.scalars(query).first()
    row = connection.execute(query).mappings().first()
    return None if row is None else CompatModel(**{k: row[k] for k in row})


def use_learned(community_id: int) -> bool:
    """The organizer's switch (on unless they turned it off)."""
    setting = db.session.get(CompatSetting, community_id)
    return setting is None or setting.use_learned


def choose(*, use: bool, row: CompatModel | None) -> Choice:
    """What to do with the newest model `row` given the organizer's switch `use`."""
    if not use:
        return Choice(SWITCHED_OFF)
    if row is None:
        return Choice(NO_MODEL)
    if not row.adopted:
        return Choice(NOT_ADOPTED, row.reason, row.version)
    if str(row.feature_set_version) != str(FEATURE_SET_VERSION):
        detail = f"trained on feature set {row.feature_set_version}, now {FEATURE_SET_VERSION}"
        return Choice(OLD_FEATURE_SET, detail, row.version)
    try:
        loaded = LearnedModel.from_json(row.model_json)
    except ModelError as error:
        code = OLD_FEATURE_SET if "feature" in str(error).lower() else CORRUPT
        return Choice(code, str(error), row.version)
    return Choice(IN_USE, version=row.version, model=loaded)


def with_learned_terms(instance: dict, meetup_id: int, community_id: int) -> dict:
    """`instance` with the community's learned terms merged when its model may be used,
    else `instance` itself, untouched. Never raises; logs and records what it did."""
    merged = instance
    try:
        with db.engine.connect() as conn:
            row = latest_model(community_id, conn)
            setting = conn.execute(
                select(CompatSetting.use_learned).where(CompatSetting.community_id == community_id)
            ).scalar()
        choice = choose(use=setting is not False, row=row)
        if choice.model is not None:
            from webapp.services.matching import member_id_of  # matching imports this module

            member_ids = [member_id_of(m["id"]) for m in instance["members"]]
            history = compat_facts.history_for(community_id, member_ids, meetup_id)
            merged = merge_terms(instance, instance_terms(choice.model, history))
    except Exception as error:  # noqa: BLE001 (matching must go on with the plain weight)
        log.exception("community %s: learned compatibility failed; plain weight", community_id)
        choice = Choice(FAILED, f"{type(error).__name__}: {error}")
        merged = instance
    _log(community_id, choice)
    record(community_id, choice)
    return merged


def _log(community_id: int, choice: Choice) -> None:
    if choice.code == IN_USE:
        log.info("community %s: learned compatibility v%s in use", community_id, choice.version)
    elif choice.code in PROBLEMS:
        log.warning(
            "community %s: learned compatibility not used (%s: %s); plain weight",
            community_id,
            choice.code,
            choice.detail,
        )
    else:
        log.info(
            "community %s: plain weight (%s%s)",
            community_id,
            choice.code,
            f": {choice.detail}" if choice.detail else "",
        )


def record(community_id: int, choice: Choice) -> None:
    """Store what the latest matching run did, on a short transaction of its own."""
    values = {
        "community_id": community_id,
        "fallback_code": "" if choice.code == IN_USE else choice.code,
        "fallback_detail": choice.detail[:300],
        "checked_at": utcnow(),
        "used_version": choice.version if choice.code == IN_USE else None,
    }
    try:
        with db.engine.begin() as conn:
            insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            statement = insert(CompatSetting).values(use_learned=True, **values)
            changed = {c: statement.excluded[c] for c in values if c != "community_id"}
            conn.execute(
                statement.on_conflict_do_update(index_elements=["community_id"], set_=changed)
            )
    except Exception:  # noqa: BLE001 (a lost note must not stop matching)
        log.exception("community %s: could not record the compatibility check", community_id)


def switch(community_id: int, on: bool) -> CompatSetting:
    """Set the organizer's switch (in the caller's transaction)."""
    setting = db.session.get(CompatSetting, community_id)
    if setting is None:
        setting = CompatSetting(community_id=community_id, use_learned=on)
        db.session.add(setting)
    setting.use_learned = on
    log.info("community %s: learned compatibility switched %s", community_id, "on" if on else "off")
    return setting
