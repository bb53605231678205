"""Code and dependency scanning (issue 8, item 12): bandit finds no high-severity issue in
the app or worker, and pip-audit finds no known vulnerability in any installed dependency.

pip-audit asks PyPI's per-release JSON API (which carries the OSV advisories) about every
installed package. When that service cannot be reached, or answers "not found" for every
package (as a machine behind a package mirror does), the audit has not happened and the test
is skipped with that reason, never passed; PIP_AUDIT_REQUIRED=1 turns the skip into a
failure where the internet is known to be there. A finding that cannot be fixed yet goes in
ACCEPTED with its reason, so it is visible here rather than silently ignored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent

#: Advisories reviewed and accepted, id -> why (none today).
ACCEPTED: dict[str, str] = {}


def test_bandit_reports_no_high_severity_issue() -> None:
    result = subprocess.run(
        [str(BIN / "bandit"), "-q", "-r", "webapp", "worker", "-lll", "-f", "txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _unaudited(reason: str) -> None:
    message = f"pip-audit could not reach its vulnerability service: {reason}"
    if os.environ.get("PIP_AUDIT_REQUIRED") == "1":
        pytest.fail(message)
    pytest.skip(message)


def test_pip_audit_finds_no_known_vulnerability() -> None:
    command = [str(BIN / "pip-audit"), "--format", "json", "--progress-spinner", "off"]
    command += ["--skip-editable", "--timeout", "30"]
    for advisory in ACCEPTED:
        command += ["--ignore-vuln", advisory]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        if "ConnectionError" in result.stderr or "NameResolution" in result.stderr:
            _unaudited(last)
        pytest.fail(f"pip-audit failed (exit {result.returncode}): {result.stderr[-2000:]}")
    packages = report["dependencies"]
    assert len(packages) >= 20, "pip-audit saw too few packages to be auditing this project"
    found = {
        f"{p['name']} {p['version']}": [v["id"] for v in p["vulns"]]
        for p in packages
        if p.get("vulns")
    }
    assert not found, f"known vulnerabilities (upgrade, or accept with a reason): {found}"
    audited = [p for p in packages if not p.get("skip_reason")]
    if not audited:
        _unaudited(
            f"PyPI answered 'not found' for all {len(packages)} installed packages "
            f"(e.g. {packages[0]['skip_reason']!r}), so none was checked"
        )
    assert result.returncode == 0, result.stderr
