"""What the organizer page "What makes pairs click here" shows (issue 15).

Aggregates only: the model's main effects (one odds ratio per pair feature, from the
fitted coefficients), its time-split validation figures (ROC AUC and calibration, whose
bins the pure module keeps at 10 pairs or more), how many rated pairs and meetups it
learned from, when, and whether matching uses it and why not. Nothing here names a
member or counts one member's answers; the figures are shown only for a model learned
from at least `PRIVACY_MIN_PAIRS` rated pairs. The effect sentences are worded here (not
in the pure module) so they are translated with the rest of the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pygal
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from webapp.extensions import db
from webapp.models.compat import CompatModel, CompatSetting
from webapp.services import compat_facts, compat_weights
from webapp.services.dashboard_charts import CONFIG, without_inline_style
from worker.compat import MIN_RATED_PAIRS, ModelError
from worker.compat import CompatModel as LearnedModel
from worker.compat.effects import NAMED, SMALL, Effect

#: A model learned from fewer rated pairs shows no figures (the trainer never stores one).
PRIVACY_MIN_PAIRS = MIN_RATED_PAIRS
#: Each feature in words, and the unit of its typical step.
FEATURES = {
    "interest_sim": (_l("Shared interests"), _l("interest similarity")),
    "about_sim": (_l("Similar “about me” texts"), _l("text similarity")),
    "shared_languages": (_l("Languages in common"), _l("languages")),
    "distance_km": (_l("Living further apart"), _l("km")),
    "availability_overlap": (_l("Overlapping free times"), _l("overlap")),
    "group_size": (_l("Meeting in a bigger group"), _l("members")),
    "membership_weeks_min": (_l("Longer membership (of the newer member)"), _l("weeks")),
    "met_before": (_l("Having been grouped before"), _l("meetups")),
    "again_before": (_l("An earlier “meet again” between the two"), _l("ratings")),
    "not_for_me_before": (_l("An earlier “not for me” between the two"), _l("ratings")),
}


@dataclass
class CompatView:
    """Everything the page shows, as plain values."""

    use_learned: bool
    status: str  # a compat_weights code: what the next matching run does
    status_detail: str
    rated_pairs: int
    threshold: int = MIN_RATED_PAIRS
    model: CompatModel | None = None  # the newest stored row
    shown: bool = False  # figures of the newest model are shown
    sentences: list[str] = field(default_factory=list)
    chart: Markup | None = None
    validation: dict = field(default_factory=dict)
    last_check: CompatSetting | None = None  # the latest matching run's check
    checked_problem: bool = False  # ... and it fell back because of a problem


def view_of(community_id: int) -> CompatView:
    """The page's values for a community."""
    setting = db.session.get(CompatSetting, community_id)
    use = setting is None or setting.use_learned
    row = compat_weights.latest_model(community_id)
    choice = compat_weights.choose(use=use, row=row)
    view = CompatView(
        use_learned=use,
        status=choice.code,
        status_detail=choice.detail,
        rated_pairs=compat_facts.rated_pair_count(community_id),
        model=row,
        last_check=setting if setting is not None and setting.checked_at else None,
    )
    view.checked_problem = bool(
        view.last_check and view.last_check.fallback_code in compat_weights.PROBLEMS
    )
    if row is not None and row.n_pairs >= PRIVACY_MIN_PAIRS:
        view.validation = row.validation or {}
        learned = choice.model or _readable(row)
        if learned is not None:
            view.shown = True
            chart = learned.effects().chart
            view.sentences = sentences(chart)
            view.chart = effects_chart(chart)
    return view


def _readable(row: CompatModel) -> LearnedModel | None:
    """The stored model if it can be read (a model not adopted still shows its effects)."""
    try:
        return LearnedModel.from_json(row.model_json) if row.model_json else None
    except ModelError:
        return None


def odds_change(effect: Effect) -> float:
    """The effect as a change in the odds of "meet again", in percent (negative: less)."""
    return round(100 * (effect.odds_ratio - 1), 1)


def sentences(chart: list[Effect]) -> list[str]:
    """The strongest effects (up to NAMED, none within the SMALL band) in plain words."""
    strong = [e for e in chart if not 1 / SMALL <= e.odds_ratio <= SMALL][:NAMED]
    out = []
    for e in strong:
        name, unit = FEATURES.get(e.feature, (e.label, e.unit))
        values = {"feature": name, "step": format_decimal(e.step, "#,##0.###"), "unit": unit}
        if e.odds_ratio > 1:
            values["factor"] = format_decimal(e.odds_ratio, "0.00")
            out.append(
                _(
                    "%(feature)s: one typical step (%(step)s %(unit)s) makes a “meet again” "
                    "%(factor)s times as likely (in odds).",
                    **values,
                )
            )
        else:
            values["factor"] = format_decimal(1 / e.odds_ratio, "0.00")
            out.append(
                _(
                    "%(feature)s: one typical step (%(step)s %(unit)s) makes a “meet again” "
                    "%(factor)s times less likely (in odds).",
                    **values,
                )
            )
    if not strong:
        out.append(_("No pair feature changes the chance of a “meet again” much here."))
    return out


def effects_chart(chart: list[Effect]) -> Markup:
    """A horizontal bar per feature: the change in the odds of "meet again" per step."""
    bars = pygal.HorizontalBar(
        title=_("Change in the odds of “meet again” per typical step"),
        **{
            **CONFIG,
            "show_legend": False,
            "height": 80 + 32 * len(chart),
            "truncate_label": -1,  # the feature names are the point of the chart
            "x_label_rotation": 0,
        },
        value_formatter=lambda v: f"{v:+.0f}%",
    )
    ordered = list(reversed(chart))  # pygal draws the first bar at the bottom
    bars.x_labels = [str(FEATURES.get(e.feature, (e.label,))[0]) for e in ordered]
    bars.add(_("Odds change (%)"), [odds_change(e) for e in ordered])
    return without_inline_style(bars.render(is_unicode=True))


def figure(value: float | None, digits: int = 2) -> str:
    """A validation figure, or a dash when it could not be computed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_decimal(value, "0." + "0" * digits)  # the reader's decimal mark
