"""Progress bars on a terminal, silence elsewhere (issue 16): `hearth match` and
`hearth seed` run as real processes, once on a pseudo-terminal and once with pipes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.matching.matching_instances import small_instance
from tests.services import ROOT


def _on_pty(args: list[str], env: dict[str, str] | None = None, timeout: float = 60) -> str:
    """Run a command with stdin, stdout and stderr on a pseudo-terminal; all it wrote."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        args, stdin=follower, stdout=follower, stderr=follower, cwd=ROOT, env=env
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process has exited
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert proc.wait(timeout=timeout) == 0, output.decode(errors="replace")
    return output.decode(errors="replace")


def test_hearth_match_draws_a_bar_on_a_terminal_only(tmp_path: Path) -> None:
    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(small_instance(40)))
    args = [sys.executable, "-m", "worker.matching.cli", str(instance), "--time-limit", "0.6"]

    shown = _on_pty([*args, "-o", str(tmp_path / "a.json")])
    assert "\rmatching [" in shown and "%" in shown and "best score" in shown
    assert "done: 40 placed" in shown

    piped = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    assert piped.returncode == 0
    assert piped.stderr == "", "no bar, no control characters off a terminal"
    assert json.loads(piped.stdout)["placed"] == 40, "stdout stays pure JSON"


def test_hearth_seed_draws_a_bar_on_a_terminal(tmp_path: Path) -> None:
    from flask_migrate import upgrade

    from webapp import create_app

    url = f"sqlite:///{tmp_path / 'seed.sqlite'}"  # a database of its own: seeding stays
    with create_app({"SQLALCHEMY_DATABASE_URI": url}).app_context():
        upgrade()
    env = {**os.environ, "DATABASE_URL": url}
    seed = [sys.executable, "-c", "from webapp.cli import main; main()", "seed", "--members", "12"]
    shown = _on_pty(seed, env=env)
    assert "\rseeding [" in shown and "past meetup" in shown and "100%" in shown
    assert "Seeded " in shown


def test_a_spinner_for_work_without_steps_stays_quiet_off_a_terminal() -> None:
    code = (
        "import time\n"
        "from worker.progress_bar import spinning\n"
        "with spinning('simulating'):\n"
        "    time.sleep(0.8)\n"
        "print('report')\n"
    )
    shown = _on_pty([sys.executable, "-c", code])
    assert "\rsimulating" in shown and "report" in shown
    piped = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert piped.stdout == "report\n" and piped.stderr == ""
