"""A community's learned compatibility model (issue 15) and its organizer setting.

One `CompatModel` row per training run (its `version` counts up per community), so the
page can say when the latest one was trained and why it is or is not in use; matching
reads only the newest row. `CompatSetting` holds the organizer's switch and the reason the
latest matching run fell back to the plain weight (written on its own short transaction
by `services.compat_weights`, never inside the matching run's).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models._time import utcnow


class CompatModel(db.Model):
    """One trained compatibility model of a community, adopted or not."""

    __tablename__ = "compat_models"
    __table_args__ = (UniqueConstraint("community_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3 ... per community; the newest is the one matching considers.
    version: Mapped[int]
    #: The pure module's FEATURE_SET_VERSION the model was trained on; an older one is unusable.
    feature_set_version: Mapped[str] = mapped_column(String(40))
    #: `worker.compat.model.CompatModel.to_json()`; read back with `from_json`.
    model_json: Mapped[str] = mapped_column(Text)
    #: When the training ran (naive UTC).
    trained_at: Mapped[datetime]
    #: Rated pairs and published meetups it learned from.
    n_pairs: Mapped[int]
    n_meetups: Mapped[int]
    #: Time-split validation figures (ROC AUC model vs plain weight, calibration ...).
    validation: Mapped[dict] = mapped_column(JSON, default=dict)
    #: True when it beat the plain weight on the later meetups and may enter matching.
    adopted: Mapped[bool] = mapped_column(default=False)
    #: Why it was or was not adopted, in the pure module's words.
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CompatSetting(db.Model):
    """The organizer's "use learned compatibility" switch and the latest fallback."""

    __tablename__ = "compat_settings"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    #: On by default: a model is used only once it is adopted; off means never.
    use_learned: Mapped[bool] = mapped_column(default=True, server_default="1")
    #: Why the latest matching run used the plain weight (a `compat_weights` code), or "".
    fallback_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    #: Details for the log and the page (e.g. the error), at most 300 characters.
    fallback_detail: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: When the latest matching run looked at the model (naive UTC).
    checked_at: Mapped[datetime | None]
    #: The model version the latest matching run used, if it used one.
    used_version: Mapped[int | None]
