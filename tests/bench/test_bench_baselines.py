"""Baselines give valid, scored results; the bench's objective and checker agree with them."""

import pytest

from bench import baselines, features, validate
from bench.generator import generate


@pytest.mark.parametrize("name", ["random", "greedy", "kmeans"])
def test_baseline_results_are_valid(name: str) -> None:
    """Each baseline respects slots, seats, sizes and blocks, and reports its objective."""
    inst = generate(90, slots=3, seed=3, block_rate=0.2)
    result = baselines.BASELINES[name](inst, seed=1)
    assert validate.violations(inst, result) == []
    groups = [g["members"] for g in result["groups"]]
    assert result["placed"] == sum(len(g) for g in groups) > 60
    assert result["objective"] == pytest.approx(features.objective(inst, groups))
    placed = {m for g in groups for m in g}
    assert {u["id"] for u in result["unmatched"]} == {m["id"] for m in inst["members"]} - placed


def test_greedy_beats_random() -> None:
    """Similarity-driven grouping scores above random grouping on structured instances."""
    inst = generate(300, slots=3, seed=7)
    assert (
        baselines.greedy_grouping(inst)["objective"] > baselines.random_grouping(inst)["objective"]
    )


def test_split_sizes() -> None:
    """Balanced sizes within the range, as few groups as possible, leftovers when forced."""
    assert baselines.split_sizes(13, 3, 6) == [5, 4, 4]
    assert baselines.split_sizes(2, 3, 6) == []
    assert baselines.split_sizes(7, 5, 6) == [6]
    assert baselines.split_sizes(12, 3, 6, groups=3) == [4, 4, 4]


def test_checker_catches_violations() -> None:
    """The bench's checker reports size, slot, seat and block violations."""
    inst = {
        "group_size": {"min": 2, "max": 3},
        "slots": [{"id": "a", "seats": 2}, {"id": "b"}],
        "members": [{"id": "x", "available": ["b"]}, {"id": "y"}, {"id": "z"}],
        "blocks": [["x", "y"]],
        "weights": [],
    }
    bad = {"groups": [{"members": ["x", "y", "z"], "slot": "a"}], "unmatched": []}
    found = " ".join(validate.violations(inst, bad))
    assert "not available" in found and "blocked" in found and "seats" in found


def test_compare_reports_both_kmeans_configurations(capsys: pytest.CaptureFixture[str]) -> None:
    """The peer bench runs k-means with 10 restarts (the goal's reference) and with one."""
    from bench import compare

    assert compare.main(["--sizes", "60", "--runs", "1", "--methods", "kmeans,kmeans-1"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.startswith("60 ")]
    assert [row[1] for row in rows] == ["kmeans", "kmeans-1"]
    assert "kmeans: n_init=10" in out
