"""`hearth demo`: the whole stack on embedded defaults, started and stopped together.

It prepares the SQLite database and demo data, then runs four processes: a local mail
catcher, a Celery worker and Celery beat on the SQLite broker, and the web server. Ctrl-C
or SIGTERM stops all of them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from webapp.config import instance_path


def _free_port(preferred: int) -> int:
    """The preferred port if nothing listens on it, else any free one."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def _wait_for_port(port: int, seconds: float) -> bool:
    """True once something accepts connections on the port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def _prepare(port: int) -> tuple[str, str, int]:
    """Point mail at a local catcher, migrate, seed; return organizer login and the mail port."""
    folder = instance_path()
    smtp_port = _free_port(int(os.environ.get("SMTP_PORT") or 8025))
    os.environ.setdefault("MAIL_CATCHER_DIR", str(folder / "mail"))
    os.environ["SMTP_HOST"] = os.environ.get("SMTP_HOST") or "127.0.0.1"
    os.environ["SMTP_PORT"] = str(smtp_port)
    os.environ.setdefault("BASE_URL", f"http://127.0.0.1:{port}")
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.services.demo_seed import reset_organizer_password, seed_demo

    app = create_app()
    with app.app_context():
        upgrade()
        print(seed_demo())
        email, password = reset_organizer_password()
    return email, password, smtp_port


def run_demo(port: int) -> int:
    """Run the demo until interrupted; return the exit code."""
    if _free_port(port) != port:
        print(f"Port {port} is busy; choose another with --port.", file=sys.stderr)
        return 1
    print("Preparing the demo database (first run takes a few seconds)...", flush=True)
    email, password, smtp_port = _prepare(port)
    folder = instance_path()
    py = sys.executable
    commands = {
        "mail": [
            py,
            "-m",
            "webapp.mailcatcher",
            "--dir",
            os.environ["MAIL_CATCHER_DIR"],
            "--port",
            str(smtp_port),
        ],
        "worker": [
            py,
            "-m",
            "celery",
            "-A",
            "worker.app",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        "beat": [
            py,
            "-m",
            "celery",
            "-A",
            "worker.app",
            "beat",
            "--loglevel",
            "WARNING",
            "--schedule",
            str(folder / "celerybeat-schedule"),
        ],
        "web": [
            py,
            "-m",
            "flask",
            "--app",
            "webapp:create_app",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-reload",
            "--no-debugger",
        ],
    }
    logs = Path(folder) / "logs"
    logs.mkdir(exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for name, command in commands.items():
            log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
            children.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
        if not _wait_for_port(port, 30):
            print(f"The web server did not start; see {logs / 'web.log'}", file=sys.stderr)
            return 1
        print(
            f"\nHearth demo is running at http://127.0.0.1:{port}/\n"
            f"  Organizer login: {email}  password: {password}\n"
            f"  Caught mail:     http://127.0.0.1:{port}/organize/mail\n"
            f"                   (also .eml files in {os.environ['MAIL_CATCHER_DIR']})\n"
            f"  Logs:            {logs}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while not stopping:
            if any(child.poll() is not None for child in children):
                print(f"A demo process stopped unexpectedly; see {logs}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        print("Hearth demo stopped.", flush=True)
