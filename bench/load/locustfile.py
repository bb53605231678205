"""Locust flows for the load bench, as a browser does them: cookies kept, CSRF token read
from each form before posting it.

Run by `bench.load.runner` (never imported by it: locust patches the standard library with
gevent). Settings come from the environment:

- BENCH_MEMBERS: the JSON written by `bench.load.seed` (emails, groups, password).
- BENCH_THINK: "0" (back to back, for throughput), "LOW-HIGH" seconds between tasks, or
  "pace:S" (each user starts a task every S seconds: a steady rate whatever the latency).
- BENCH_SIGNUP_THINK: the same for the newcomers who sign up (default: BENCH_THINK); a
  soak signs people up far less often than members read their pages.
- BENCH_SAMPLES: where to write every measured request as JSON lines at the end.

Request names starting with "setup " (logging in before measuring pages) are recorded but
not counted in any figure.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
import uuid

from locust import FastHttpUser, between, constant, constant_pacing, events, task

_DATA = json.loads(open(os.environ["BENCH_MEMBERS"]).read())  # noqa: SIM115
PASSWORD = _DATA["password"]
MEMBERS = _DATA["members"]
_NEXT_MEMBER = itertools.count()
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SAMPLES: list[tuple[float, str, float, int]] = []


def _wait(variable: str = "BENCH_THINK"):  # type: ignore[no-untyped-def]
    think = os.environ.get(variable) or os.environ.get("BENCH_THINK", "0")
    if think in {"", "0"}:
        return constant(0)
    if think.startswith("pace:"):
        return constant_pacing(float(think.removeprefix("pace:")))
    low, high = (float(x) for x in think.split("-"))
    return between(low, high)


@events.request.add_listener
def _record(name, response_time, response, exception, **_kwargs):  # type: ignore[no-untyped-def]
    status = getattr(response, "status_code", 0) or 0
    if exception is not None and not status:
        status = 0  # connection error or timeout
    _SAMPLES.append((time.time(), name, float(response_time), int(status)))


@events.quitting.add_listener
def _dump(**_kwargs):  # type: ignore[no-untyped-def]
    path = os.environ.get("BENCH_SAMPLES")
    if path:
        with open(path, "w") as out:
            for sample in _SAMPLES:
                out.write(json.dumps(sample) + "\n")


def _expect(response, status: int, name: str) -> int:  # type: ignore[no-untyped-def]
    """Mark a caught response a success only with the expected status; return its status."""
    if response.status_code == status:
        response.success()
    else:
        response.failure(f"{name} answered {response.status_code}")
    return int(response.status_code)


class _Browser(FastHttpUser):
    abstract = True
    wait_time = _wait()

    def csrf(self, path: str, name: str) -> str:
        """GET a form page and return its CSRF token ("" if the page had none)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            found = CSRF.search(response.text or "")
            if response.status_code != 200 or not found:
                response.failure(f"no form at {path} ({response.status_code})")
                return ""
            response.success()
            return found.group(1)

    def post_form(self, path: str, name: str, fields: dict[str, str], token: str) -> int:
        """POST a form without following the redirect; a 302 is the expected success."""
        with self.client.post(
            path,
            data={**fields, "csrf_token": token},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            return _expect(response, 302, name)

    def page(self, path: str, name: str) -> int:
        """GET a page that must answer itself (200): a redirect to log in is a failure."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            return _expect(response, 200, name)

    def log_in(self, email: str, name: str) -> bool:
        token = self.csrf("/login", name=name.replace("POST", "GET"))
        fields = {"email": email, "password": PASSWORD}
        return self.post_form("/login", name, fields, token) == 302

    def log_in_until_done(self, email: str, name: str, tries: int = 20) -> None:
        """Log in, trying again (after a pause, as a person would) when the server shed the
        attempt with 503/429: a user left logged out would measure only redirects."""
        for _ in range(tries):
            if self.log_in(email, name):
                return
            time.sleep(0.5)


class _Member(_Browser):
    """A logged-in member (one of the seeded ones), logging in again if the session is lost."""

    abstract = True

    def on_start(self) -> None:
        self.member = MEMBERS[next(_NEXT_MEMBER) % len(MEMBERS)]
        self.log_in_until_done(str(self.member["email"]), name="setup POST /login")

    def member_page(self, path: str, name: str) -> None:
        """A member page; a redirect to the login form (the session was lost, e.g. its
        login was shed) counts as the failure it is, then the user logs in again."""
        if self.page(path, name) == 302:
            self.log_in_until_done(str(self.member["email"]), name="setup POST /login")

    def profile(self) -> None:
        self.member_page("/me/profile", name="member GET /me/profile")


class MemberPages(_Member):
    """A logged-in member reading their profile, their groups (home) and a group page."""

    weight = 8

    @task(3)
    def profile_page(self) -> None:
        self.profile()

    @task(3)
    def my_groups(self) -> None:
        self.member_page("/me", name="member GET /me (my groups)")

    @task(1)
    def group(self) -> None:
        groups = self.member["groups"]
        if groups:
            group_id = groups[int(time.time() * 1000) % len(groups)]
            self.member_page(f"/me/groups/{group_id}", name="member GET /me/groups/<id>")


class ProfilePage(_Member):
    """Only the profile page: the reference the API's throughput goal names (issue 17)."""

    @task
    def profile_page(self) -> None:
        self.profile()


class ApiClients(FastHttpUser):
    """A community's website reading its meetups (organizer token) and members' apps reading
    their groups (member tokens), as JSON from /api/v1 (issue 17)."""

    wait_time = _wait()

    def on_start(self) -> None:
        api = _DATA["api"]
        with_token = [m for m in MEMBERS if m.get("api_token")]
        member = with_token[next(_NEXT_MEMBER) % len(with_token)]
        self.organizer = {"Authorization": f"Bearer {api['organizer_token']}"}
        self.member = {"Authorization": f"Bearer {member['api_token']}"}
        self.meetups = f"/api/v1/communities/{api['slug']}/meetups"

    def get(self, path: str, headers: dict[str, str], name: str) -> None:
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            _expect(response, 200, name)

    @task
    def meetups(self) -> None:
        self.get(self.meetups, self.organizer, name="api GET /communities/<slug>/meetups")

    @task
    def my_groups(self) -> None:
        self.get("/api/v1/me/groups", self.member, name="api GET /me/groups")


class PublicPages(_Browser):
    """A visitor on the landing and login pages."""

    weight = 2

    @task
    def landing(self) -> None:
        self.page("/", name="public GET /")

    @task
    def login_page(self) -> None:
        self.page("/login", name="public GET /login")


class SignupLogin(_Browser):
    """A newcomer signs up, then logs in with the new account (one Argon2 hash each)."""

    weight = 1
    wait_time = _wait("BENCH_SIGNUP_THINK")

    @task
    def sign_up_and_log_in(self) -> None:
        self.client.cookiejar.clear()
        email = f"load-{uuid.uuid4().hex}@example.org"
        token = self.csrf("/signup", name="auth GET /signup")
        fields = {"display_name": "Load Tester", "email": email, "password": PASSWORD}
        if self.post_form("/signup", "auth POST /signup", fields, token) != 302:
            return
        self.log_in(email, name="auth POST /login")
