"""Who is being left out: counts and a private list with a suggested action per person.

Definitions (pure functions of a `History`; only published meetups count):
- *unplaced twice*: opted in but was not placed in two or more meetups;
- *no mutual after three*: placed in three or more meetups, yet no mutual "meet again";
- *first-timer who did not return*: placed exactly once, a later meetup has happened
  since, and they have not opted in to anything after their first meetup.
"""

from __future__ import annotations

from collections import Counter

from webapp.services.metrics_depth import mutual_pairs_by_meetup
from webapp.services.metrics_history import History

#: The suggested action shown with each list.
ACTIONS = {
    "unplaced_twice": "Write a personal note and make sure they are placed next time.",
    "no_mutual": "Try them with the 'deepen' policy, or introduce them to someone with "
    "shared interests.",
    "first_timer_gone": "Send a welcome-back note inviting them to the next meetup.",
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
            (m, f"not placed {n} times") for m, n in unplaced.items() if n >= UNPLACED_TIMES
        ],
        "no_mutual": [
            (m, f"{n} meetups, no mutual meet-again")
            for m, n in times_placed.items()
            if n >= MEETUPS_WITHOUT_MUTUAL and m not in with_mutual
        ],
        "first_timer_gone": [
            (m, f"came once, to {first_meetup[m].title}")
            for m, n in times_placed.items()
            if n == 1 and first_meetup[m].date < last_date and m not in later_optin
        ],
    }
    return {
        kind: {
            "count": len(people),
            "action": ACTIONS[kind],
            "people": sorted(
                (
                    {
                        "member_id": m,
                        "name": h.members.get(m, ("A former member",))[0],
                        "detail": detail,
                    }
                    for m, detail in people
                    if m in h.members
                ),
                key=lambda p: p["name"],
            ),
        }
        for kind, people in lists.items()
    }
