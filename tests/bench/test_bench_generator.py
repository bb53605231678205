"""The instance generator: deterministic, and every instance is well formed."""

import numpy as np

from bench.generator import generate


def test_same_seed_same_instance() -> None:
    """Seeds make instances reproducible; different seeds differ."""
    assert generate(300, seed=4) == generate(300, seed=4)
    assert generate(300, seed=4) != generate(300, seed=5)


def test_instance_is_well_formed() -> None:
    """Unique ids; known slots; history and blocks name real, distinct members."""
    inst = generate(2000, slots=3, seed=1, locations=True)
    ids = [m["id"] for m in inst["members"]]
    assert len(set(ids)) == len(ids) == 2000
    slots = {s["id"] for s in inst["slots"]}
    assert len(slots) == 3 and all(s["seats"] > 0 for s in inst["slots"])
    for m in inst["members"]:
        assert set(m.get("available", slots)) <= slots and m.get("available", slots)
        assert 1 <= len(m["interests"]) <= 8
        assert m.get("priority", 1.0) >= 1.0
        assert -90 <= m["location"][0] <= 90 and m["max_km"] > 0
    known = set(ids)
    assert inst["pairs"] and inst["blocks"]
    for p in inst["pairs"]:
        assert p["a"] in known and p["b"] in known and p["a"] != p["b"]
        assert p["bond"] in (1.0, -0.5)
    assert all(a != b and a in known and b in known for a, b in inst["blocks"])
    assert any(m.get("priority", 1.0) > 1.0 for m in inst["members"])
    assert any("available" in m for m in inst["members"])


def test_vector_mode_and_structure() -> None:
    """Vectors have the asked dimension, and people in one community are more alike."""
    inst = generate(600, slots=0, seed=2, vectors=32, communities=3)
    x = np.asarray([m["vector"] for m in inst["members"]])
    assert x.shape == (600, 32) and "slots" not in inst
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sims = x @ x.T
    assert np.percentile(sims[np.triu_indices(600, 1)], 90) > 0.3
