"""Instance builders and hypothesis strategies shared by the matching tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

TAGS = ["hiking", "chess", "jazz", "yoga", "film", "cooking", "running", "poetry"]
SLOTS = ["tue-19", "sat-11", "sun-15"]


def small_instance(n: int = 12, **extra: object) -> dict:
    """A valid, deterministic tag instance with two slots."""
    members = [
        {
            "id": f"m{i}",
            "interests": [TAGS[i % len(TAGS)], TAGS[(i * 3 + 1) % len(TAGS)]],
            "available": SLOTS[:2] if i % 3 else SLOTS[:1],
        }
        for i in range(n)
    ]
    instance: dict = {
        "group_size": {"min": 3, "max": 4},
        "slots": [{"id": SLOTS[0], "seats": 40}, {"id": SLOTS[1]}],
        "members": members,
    }
    instance.update(extra)
    return instance


@st.composite
def instances(draw: st.DrawFn, max_members: int = 24) -> dict:
    """Random valid instances, including awkward ones (few members, blocks, seats, travel)."""
    n = draw(st.integers(0, max_members))
    lo = draw(st.integers(1, 4))
    hi = draw(st.integers(lo, lo + 3))
    num_slots = draw(st.integers(0, 3))
    slots = [
        {"id": SLOTS[s], **({"seats": draw(st.integers(0, 12))} if draw(st.booleans()) else {})}
        for s in range(num_slots)
    ]
    use_vectors = draw(st.booleans())
    use_location = draw(st.booleans())
    members = []
    for i in range(n):
        member: dict = {"id": f"m{i}", "priority": draw(st.sampled_from([1.0, 1.0, 2.0, 0.5]))}
        if use_vectors:
            member["vector"] = draw(st.lists(st.floats(-1, 1), min_size=3, max_size=3))
        else:
            member["interests"] = draw(st.lists(st.sampled_from(TAGS), max_size=4))
        if num_slots:
            member["available"] = draw(
                st.lists(st.sampled_from([s["id"] for s in slots]), max_size=num_slots)
            )
        if use_location:
            member["location"] = [
                52.5 + draw(st.floats(-0.2, 0.2)),
                13.4 + draw(st.floats(-0.2, 0.2)),
            ]
            if draw(st.booleans()):
                member["max_km"] = draw(st.floats(1, 30))
        members.append(member)
    instance: dict = {"group_size": {"min": lo, "max": hi}, "members": members}
    if slots:
        instance["slots"] = slots
    ids = [m["id"] for m in members]
    if n >= 2:
        pair = st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True)
        instance["blocks"] = draw(st.lists(pair, max_size=n))
        bonds = draw(st.lists(st.tuples(pair, st.floats(-1, 1)), max_size=n))
        instance["pairs"] = [{"a": a, "b": b, "bond": w} for (a, b), w in bonds]
    if n and draw(st.booleans()) and n // hi >= 1:
        instance["num_groups"] = draw(st.integers(1, max(1, n // hi)))
    return instance


def blocked_instance(n: int, slots: int, seed: int) -> dict:
    """n members with 3 random tags each, free at 1 to `slots` slots, many blocks and bonds."""
    rng = np.random.default_rng(seed)
    members = []
    for i in range(n):
        member: dict = {"id": f"m{i}", "interests": list(rng.choice(TAGS, 3, replace=False))}
        if slots > 1:
            member["available"] = list(rng.choice(SLOTS[:slots], rng.integers(1, slots + 1)))
        members.append(member)
    pairs = rng.choice(n, size=(n // 4, 2))
    return {
        "group_size": {"min": 3, "max": 6},
        "slots": [{"id": s, "seats": n} for s in SLOTS[:slots]],
        "members": members,
        "blocks": [[f"m{a}", f"m{b}"] for a, b in pairs.tolist() if a != b],
        "pairs": [{"a": f"m{a}", "b": f"m{b}", "bond": 1.0} for a, b in pairs[::2].tolist()[::-1]],
    }
