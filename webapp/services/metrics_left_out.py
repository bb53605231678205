"""Who is being left out: counts and a private list with a suggested action per person.

Definitions (pure functions of a `History`; only published meetups count):
- *unplaced twice*: opted in but was not placed in two or more meetups;
- *no mutual after three*: placed in three or more meetups, yet no mutual "meet again";
- *first-timer who did not return*: placed exactly once, a later meetup has happened
  since, and they have not opted in to anything after their first meetup.
"""

from __future__ import annotations

from collections import Counter

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from webapp.i18n import DEFAULT_LOCALE
from webapp.services.metrics_depth import mutual_pairs_by_meetup
from webapp.services.metrics_history import History

#: The suggested action shown with each list (stored in English in the snapshot, shown
#: in the reader's language by `in_reader_language`).
ACTIONS = {
    "unplaced_twice": _l("Write a personal note and make sure they are placed next time."),
    "no_mutual": _l(
        "Try them with the 'deepen' policy, or introduce them to someone with shared interests."
    ),
    "first_timer_gone": _l("Send a welcome-back note inviting them to the next meetup."),
}
#: Thresholds of the definitions above.
UNPLACED_TIMES = 2
MEETUPS_WITHOUT_MUTUAL = 3


def left_out(h: History) -> dict:
    """Counts and lists of the three left-out groups."""
    published = {m.id: m for m in h.meetups}
    placed = {(m, member) for m, _, member, _ in h.seats}
    unplaced = Counter(
        member for m, member, _ in h.optins if m in published and (m, member) not in placed
    )
    times_placed = Counter(member for _, member in placed)
    with_mutual = {m for pairs in mutual_pairs_by_meetup(h).values() for p in pairs for m in p}
    order = {m.id: n for n, m in enumerate(h.meetups)}  # oldest first
    first_meetup = {}
    for m, member in sorted(placed, key=lambda seat: order[seat[0]]):
        first_meetup.setdefault(member, published[m])
    last_date = h.meetups[-1].date if h.meetups else None
    later_optin = set()
    for _, member, at in h.optins:
        first = first_meetup.get(member)
        if first is not None and at > first.date:
            later_optin.add(member)
    lists = {
        "unplaced_twice": [
            (m, f"not placed {n} times", {"times": n})
            for m, n in unplaced.items()
            if n >= UNPLACED_TIMES
        ],
        "no_mutual": [
            (m, f"{n} meetups, no mutual meet-again", {"meetups": n})
            for m, n in times_placed.items()
            if n >= MEETUPS_WITHOUT_MUTUAL and m not in with_mutual
        ],
        "first_timer_gone": [
            (m, f"came once, to {first_meetup[m].title}", {"title": first_meetup[m].title})
            for m, n in times_placed.items()
            if n == 1 and first_meetup[m].date < last_date and m not in later_optin
        ],
    }
    with force_locale(DEFAULT_LOCALE):  # stored words: English, like the CSV export
        actions = {kind: str(action) for kind, action in ACTIONS.items()}
    return {
        kind: {
            "count": len(people),
            "action": actions[kind],
            "people": sorted(
                (
                    {
                        "member_id": m,
                        "name": h.members.get(m, ("A former member",))[0],
                        "detail": detail,
                        "facts": facts,
                    }
                    for m, detail, facts in people
                    if m in h.members
                ),
                key=lambda p: p["name"],
            ),
        }
        for kind, people in lists.items()
    }


def _detail(kind: str, person: dict) -> str:
    facts = person.get("facts")
    if not facts:  # a snapshot stored before the facts were kept: its English words
        return str(person.get("detail", ""))
    if kind == "unplaced_twice":
        return gettext("not placed %(num)s times", num=facts["times"])
    if kind == "no_mutual":
        return gettext("%(num)s meetups, no mutual meet-again", num=facts["meetups"])
    return gettext("came once, to %(title)s", title=facts["title"])


def in_reader_language(left: dict) -> dict:
    """The stored left-out lists with their suggested actions and details in the language
    of the page (the snapshot holds them in English for the CSV export)."""
    return {
        kind: {
            **found,
            "action": str(ACTIONS[kind]) if kind in ACTIONS else found.get("action", ""),
            "people": [{**p, "detail": _detail(kind, p)} for p in found.get("people", [])],
        }
        for kind, found in left.items()
    }
