"""`hearth match`: output, files, exit codes and error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.matching.matching_instances import small_instance
from worker.matching import check_result
from worker.matching.cli import run


@pytest.fixture
def instance_file(tmp_path: Path) -> Path:
    """A valid instance written to a temporary file."""
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(small_instance(9)))
    return path


def test_writes_result_to_stdout(instance_file: Path, capsys: pytest.CaptureFixture) -> None:
    assert run([str(instance_file), "--seed", "3", "--time-limit", "0.2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert check_result(small_instance(9), result) == []


def test_writes_result_to_file(instance_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "result.json"
    assert run([str(instance_file), "-o", str(output)]) == 0
    assert json.loads(output.read_text())["placed"] == 9


def test_invalid_instance_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    instance = small_instance(6)
    instance["members"][3]["available"] = ["tue-19", "someday"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(instance))
    assert run([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "error: members[3].available[1]: unknown slot id 'someday'"


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run([str(tmp_path / "nope.json")]) == 2
    assert "cannot read instance file" in capsys.readouterr().err


def test_invalid_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    assert run([str(path)]) == 2
    assert "invalid JSON" in capsys.readouterr().err


def test_negative_time_limit(instance_file: Path, capsys: pytest.CaptureFixture) -> None:
    assert run([str(instance_file), "--time-limit", "-1"]) == 2
    assert "--time-limit" in capsys.readouterr().err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        run([])
    assert exited.value.code == 2
    assert "hearth match" in capsys.readouterr().err


def test_runs_as_a_module(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"group_size": {"min": 4, "max": 3}, "members": []}))
    failed = subprocess.run(
        [sys.executable, "-m", "worker.matching.cli", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr == "error: group_size: min (4) is greater than max (3)\n"
