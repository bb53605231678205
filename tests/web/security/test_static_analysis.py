"""Code scanning (issue 8, item 12): bandit finds no high-severity issue in the app or worker.

(pip-audit needs PyPI's vulnerability data over the internet; see the README's security
section for where it runs.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_bandit_reports_no_high_severity_issue() -> None:
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-q", "-r", "webapp", "worker", "-lll", "-f", "txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
