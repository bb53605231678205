"""`hearth simulate`: the community simulation bench (bench/simulation) as a click command.

Prints the table comparing matching policies on simulated communities and writes the SVG
chart; register it on the `hearth` group with ``cli.add_command(simulate_command)``.
The bench lives in the repository's `bench/` folder, which is not an installed package, so
the command looks for it next to `webapp/` (a clone or an editable install).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click


@click.command("simulate")
@click.option("--members", default=120, show_default=True, help="Founding members.")
@click.option("--rounds", default=12, show_default=True, help="Weekly rounds.")
@click.option("--seeds", default="1,2,3", show_default=True, help="Comma-separated seeds.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bench/results/simulation.svg"),
    show_default=True,
    help="Where to write the SVG chart of strong ties per round.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a matching constant for this run, e.g. balanced.per_meeting=-0.1.",
)
@click.option("--policies", default="", help="Comma-separated policy names (default: all).")
@click.option(
    "--measured",
    is_flag=True,
    help="Compare instance format v1 and v2 on people with languages, places and about texts.",
)
@click.option(
    "--about-weight",
    type=click.FloatRange(0, 1),
    default=None,
    help="about_weight passed in v2 instances (default: the engine's).",
)
@click.option(
    "--sweep-about",
    default="",
    metavar="W,W,...",
    help="Run format v2 with each about_weight and name the best.",
)
def simulate_command(
    members: int,
    rounds: int,
    seeds: str,
    plot: Path,
    overrides: tuple[str, ...],
    policies: str,
    measured: bool,
    about_weight: float | None,
    sweep_about: str,
) -> None:
    """Simulate weekly meetups under each matching policy and compare the ties formed."""
    run = _load_bench()
    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter("comma-separated whole numbers", param_hint="--seeds") from None
    names = [n.strip() for n in policies.split(",") if n.strip()]
    try:
        weights = [float(w) for w in sweep_about.split(",") if w.strip()]
    except ValueError:
        raise click.BadParameter("comma-separated numbers", param_hint="--sweep-about") from None
    from worker.progress_bar import spinning

    try:
        with spinning("simulating"):  # the bench reports no steps: elapsed time only
            report = run(
                members,
                rounds,
                seed_list,
                list(overrides),
                plot,
                names,
                measured=measured,
                about_weight=about_weight,
                sweep_about=weights,
            )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(report)


def _load_bench() -> Callable[..., str]:
    """`bench.simulation`'s run function, from the repository this package lives in."""
    root = Path(__file__).resolve().parent.parent
    if (root / "bench" / "simulation").is_dir() and str(root) not in sys.path:
        sys.path.append(str(root))
    try:
        from bench.simulation.__main__ import run
    except ImportError:
        raise click.ClickException("run from a clone of the repository (needs bench/)") from None
    return run
