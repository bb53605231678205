"""The production compose file is valid and runs every part of the stack.

No Docker engine runs here, so `docker-compose config` (Debian's docker-compose package,
installed by scripts/test when run as root) is what checks the file: it parses it, resolves
anchors and variables, and rejects unknown keys. Without the tool the test skips, unless
REQUIRE_SERVICES=1 (CI), where a missing tool is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKERS = {
    "matching-worker": "matching",
    "email-worker": "email",
    "notifications-worker": "notifications",
}
EXPECTED_SERVICES = {"postgres", "redis", "mail", "migrate", "web", "beat", *WORKERS}


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("docker-compose")
    if tool is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but docker-compose is not installed", pytrace=False)
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    return subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "compose-check"},
    )


def test_compose_file_validates() -> None:
    checked = _compose("config", "-q")
    assert checked.returncode == 0, checked.stderr


def test_compose_defines_the_whole_stack() -> None:
    listed = _compose("config", "--services")
    assert listed.returncode == 0, listed.stderr
    assert set(listed.stdout.split()) == EXPECTED_SERVICES


def test_the_image_runs_gunicorn_with_the_shedding_settings(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The Dockerfile's web process uses gunicorn.conf.py: the queue-stamping threaded worker
    with one thread per pooled connection, so a request never waits for a connection and
    excess load is shed (503) by how long it queued for a thread."""
    assert '"--config", "gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()
    # gunicorn.conf.py sets defaults in os.environ: give it a copy, so nothing leaks into
    # the apps of later tests
    names = ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "WEB_THREADS", "WEB_CONCURRENCY")
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if k not in names})
    settings: dict[str, object] = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)  # noqa: S102
    assert settings["worker_class"] == "webapp.gunicorn_worker.StampingThreadWorker"
    pooled = int(os.environ["DB_POOL_SIZE"]) + int(os.environ["DB_MAX_OVERFLOW"])
    assert int(settings["threads"]) == pooled  # type: ignore[call-overload]
    assert float(os.environ["DB_POOL_TIMEOUT"]) == 0
    assert settings["workers"] == len(os.sched_getaffinity(0))  # one per CPU


def test_one_worker_service_per_queue_that_scales() -> None:
    """Each queue of the routing (webapp.config.TASK_QUEUES) has a worker service of its own
    consuming exactly it, with nothing that stops `docker-compose up --scale` (a fixed
    container name or a published port); together they consume every queue."""
    from webapp.config import TASK_QUEUES, queue_names

    checked = _compose("config")
    assert checked.returncode == 0, checked.stderr
    services = yaml.safe_load(checked.stdout)["services"]
    names = queue_names("hearth")  # CELERY_QUEUE's default, as in the compose file
    for service, kind in WORKERS.items():
        command = services[service]["command"]
        assert command[:4] == ["celery", "-A", "worker.app", "worker"], service
        assert command[command.index("-Q") + 1] == names[kind], service
        assert "container_name" not in services[service] and "ports" not in services[service]
    assert set(TASK_QUEUES.values()) == set(WORKERS.values()), "every queue has its workers"
    assert "--concurrency" in services["matching-worker"]["command"]
    assert "--pool" not in services["matching-worker"]["command"], "prefork: time limits work"
