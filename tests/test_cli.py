"""The `hearth` command and `hearth demo`, run as a person would run them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.services import free_port

HEARTH = shutil.which("hearth", path=str(Path(sys.executable).parent)) or "hearth"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SMTP_HOST", "SMTP_PORT"}
    }
    env["HEARTH_INSTANCE_PATH"] = str(tmp_path / "instance")
    return env


def test_flask_commands_work_through_hearth(tmp_path):  # type: ignore[no-untyped-def]
    env = _env(tmp_path)
    upgrade = subprocess.run(
        [HEARTH, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "instance" / "hearth.sqlite").exists()
    routes = subprocess.run(
        [HEARTH, "routes"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert routes.returncode == 0
    assert (
        "/signup" in routes.stdout
        and "/organize/<slug>/meetups/<int:meetup_id>/match" in routes.stdout
    )


def test_hearth_match_runs_without_a_database(tmp_path):  # type: ignore[no-untyped-def]
    instance = {
        "group_size": {"min": 3, "max": 3},
        "members": [{"id": f"m{i}", "interests": ["chess" if i < 3 else "jazz"]} for i in range(6)],
    }
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance))
    out = tmp_path / "result.json"
    done = subprocess.run(
        [HEARTH, "match", str(path), "-o", str(out), "--seed", "3"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    groups = sorted(sorted(g["members"]) for g in json.loads(out.read_text())["groups"])
    assert groups == [["m0", "m1", "m2"], ["m3", "m4", "m5"]]
    assert not (tmp_path / "instance" / "hearth.sqlite").exists()


def test_hearth_match_explains_bad_input(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"group_size": {"min": 4, "max": 3}, "members": []}))
    done = subprocess.run(
        [HEARTH, "match", str(path)],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "group_size" in done.stderr and "Traceback" not in done.stderr


def test_demo_starts_everything_and_stops_on_sigterm(tmp_path):  # type: ignore[no-untyped-def]
    port = free_port()
    proc = subprocess.Popen(
        [HEARTH, "demo", "--port", str(port)],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    printed = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            printed.append(line)
            if "Press Ctrl-C to stop." in line or proc.poll() is not None:
                break
        output = "".join(printed)
        assert f"http://127.0.0.1:{port}/" in output, output
        login = re.search(r"Organizer login: (\S+)\s+password: (\S+)", output)
        assert login, output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/communities", timeout=10) as page:
            assert "Riverside Neighbours" in page.read().decode()
        children = subprocess.run(
            ["pgrep", "-g", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) >= 5  # demo, web, worker, beat, mail catcher
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "demo processes still running after SIGTERM"
        time.sleep(0.2)
    assert "Hearth demo stopped." in proc.stdout.read()
    proc.stdout.close()
