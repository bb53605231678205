"""The MDGPLIB parser and its conversion to the matching format."""

from pathlib import Path

import numpy as np
import pytest

from bench import features, mdgplib


def test_parse_small_file(tmp_path: Path) -> None:
    """Pair lines become a symmetric matrix; bounds become the size range."""
    path = tmp_path / "Tiny_n4_ss_01.txt"
    path.write_text("4 2 ss 2 2 2 2 \n0 1 1.5\n0 2 2\n0 3 0\n1 2 4\n1 3 1\n2 3 3\n")
    inst = mdgplib.parse(path)
    assert (inst.n, inst.num_groups, inst.size_min, inst.size_max) == (4, 2, 2, 2)
    assert np.allclose(inst.weights, inst.weights.T)
    assert inst.weights[1, 2] == 4 and inst.weights[2, 1] == 4
    doc = mdgplib.to_instance(inst)
    assert doc["num_groups"] == 2 and [m["id"] for m in doc["members"]] == ["m0", "m1", "m2", "m3"]
    groups = [["m0", "m1"], ["m2", "m3"]]
    assert mdgplib.file_objective(inst, groups) == pytest.approx(4.5)
    assert features.objective(doc, groups) == pytest.approx(4.5)


def test_parse_rejects_mixed_bounds(tmp_path: Path) -> None:
    """Per-group ranges that differ cannot be expressed with one group_size."""
    path = tmp_path / "Odd.txt"
    path.write_text("4 2 ds 1 2 2 3 \n0 1 1\n")
    with pytest.raises(ValueError, match="bounds differ"):
        mdgplib.parse(path)


#: One instance and the best-known table of the shared MDGPLIB sample
#: (../shared/benchmarks/mdgplib), copied so a clone alone runs this test.
SAMPLE = Path(__file__).parent / "data" / "mdgplib"


def test_real_instance_and_best_known() -> None:
    """A shipped file parses to n = 120, 10 groups of 12, all 7,140 pairs; TPSDP rows load."""
    inst = mdgplib.parse(SAMPLE / "RanReal_n120_ss_01.txt")
    assert (inst.n, inst.num_groups, inst.size_min) == (120, 10, 12)
    assert len(mdgplib.to_instance(inst)["weights"]) == 7140
    known = mdgplib.best_known(SAMPLE / "best-known.tsv")
    assert len(known) == 30 and known["RanReal_n120_ss_01"][0] >= known["RanReal_n120_ss_01"][1]


def test_gap_sign() -> None:
    """Positive gap = below the reference."""
    assert mdgplib.gap(100.0, 99.0) == pytest.approx(1.0)
