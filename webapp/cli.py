"""The `hearth` command: Flask's CLI bound to the app factory, plus Hearth's own commands.

`hearth run`, `hearth db upgrade` and `hearth routes` work as their `flask` versions do;
`hearth demo` starts the whole stack on embedded defaults; `hearth match` runs the
matching engine on a JSON instance with no database; `hearth simulate` compares matching
policies on a simulated community.
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from webapp import create_app
from webapp.simulate_cli import simulate_command


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def cli() -> None:
    """Hearth: small, repeated, face-to-face meetups for communities."""


@cli.command("match", context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def match_command(args: tuple[str, ...]) -> None:
    """Match a JSON instance: INSTANCE.json [-o RESULT.json] [--seed N] [--time-limit S]."""
    from worker.matching.cli import run

    sys.exit(run(list(args)))


@cli.command("demo")
@click.option(
    "--port", default=5000, show_default=True, help="Port for the web server (127.0.0.1)."
)
def demo_command(port: int) -> None:
    """Seed a demo community and run web, worker, scheduler and a mail catcher together."""
    from webapp.demo import run_demo

    sys.exit(run_demo(port))


@cli.command("seed")
@click.option("--members", default=300, show_default=True, help="How many demo members to create.")
def seed_command(members: int) -> None:
    """Seed the demo community into the configured database (if it is not there yet)."""
    from webapp.services.demo_seed import seed_demo
    from worker.progress_bar import ProgressBar

    bar = ProgressBar("seeding")

    def report(step: int, steps: int, what: str) -> None:
        bar.total = steps
        bar.update(step, what, force=True)

    summary = seed_demo(members=members, progress=report if bar.enabled else None)
    bar.close()
    click.echo(summary)


cli.add_command(simulate_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="hearth")
