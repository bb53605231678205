"""Issue 14, "Measured": format v1 vs v2 on the same simulated people, and the about weight.

Both formats run every chosen policy on the same v2-world communities (`world.py`), with
the same chance events; only the instance differs (`formats.py`). Goals, judged per
engine policy (the "random" baseline groups without reading the instance's v2 fields, so
it is shown but not judged):
- v2's strong-tie share >= GOAL_TIE_RATIO x v1's (the goal is the default "balanced";
  the other policies' lines are printed the same way);
- the default's never-had-a-good-meetup share with v2 <= GOAL_NEVER_GOOD;
- with v2, no member is ever placed in a group with no common language.
`sweep` runs v2 with several explicit `about_weight` values and names the best.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.simulation.formats import V1, Format
from bench.simulation.policies import Constants, Policy
from bench.simulation.report import Outcome
from bench.simulation.runner import DEFAULT_NAME, compare

GOAL_TIE_RATIO = 1.2
GOAL_NEVER_GOOD = 0.15
NOT_JUDGED = {"random"}  # groups without the engine: reads no v2 field
COLUMNS = ("tie", "never", "left", "nolang", "alone", "pair")


@dataclass(frozen=True)
class Measured:
    """Mean outcomes per policy for v1 and v2, and the run's seconds."""

    v1: dict[str, Outcome]
    v2: dict[str, Outcome]
    v2_format: Format
    seconds: float


def measure(
    members: int,
    rounds: int,
    seeds: list[int],
    constants: Constants,
    policies: list[Policy],
    about_weight: float | None = None,
) -> Measured:
    """Every policy with v1 and v2 instances on the same v2-world communities."""
    v2 = Format(2, about_weight)
    run = compare(members, rounds, seeds, constants, policies, formats=(V1, v2), world=True)
    split = {
        fmt.name: {p.name: run.results[f"{p.name} / {fmt.name}"] for p in policies}
        for fmt in (V1, v2)
    }
    return Measured(split[V1.name], split[v2.name], v2, run.seconds)


def _block(o: Outcome) -> str:
    """One format's cells: tie, never good, left, no-common-language count, alone, pair."""
    values = (
        o.figures["all"]["tie"],
        o.figures["all"]["never good"],
        o.extra["left"],
        o.extra["no common language"],
        o.extra["alone"],
        o.extra["pair compatibility"],
    )
    return "  ".join(f"{v:6.1f}" if k == 3 else f"{v:6.3f}" for k, v in enumerate(values))


def measured_table(result: Measured) -> str:
    """One row per policy: v1's and v2's figures side by side and v2/v1 strong-tie share."""
    block = "  ".join(f"{c:>6}" for c in COLUMNS)
    width = len(block)
    head = f"{'policy':<22}| {'v1':<{width}} | {result.v2_format.name:<{width}} | v2/v1"
    sub = f"{'':<22}| {block} | {block} | tie"
    lines = [head, sub, "-" * len(sub)]
    for name, one in result.v1.items():
        two = result.v2[name]
        ratio = _ratio(two.figures["all"]["tie"], one.figures["all"]["tie"])
        lines.append(f"{name:<22}| {_block(one)} | {_block(two)} | {ratio:.2f}x")
    return "\n".join(lines)


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf") if a else 1.0


def measured_goals(result: Measured) -> list[str]:
    """The goals' lines, 'met' or 'MISSED', from the measured figures."""
    lines = []
    judged = [n for n in result.v1 if n not in NOT_JUDGED]
    for name in judged:
        one, two = result.v1[name].figures["all"]["tie"], result.v2[name].figures["all"]["tie"]
        ratio = _ratio(two, one)
        tag = " (the goal)" if name == DEFAULT_NAME else ""
        lines.append(
            _line(
                f"{name}{tag}: v2 strong-tie share {two:.3f} vs v1 {one:.3f} = {ratio:.2f}x "
                f"(goal >= {GOAL_TIE_RATIO}x)",
                ratio >= GOAL_TIE_RATIO,
            )
        )
    if DEFAULT_NAME in result.v2:
        never = result.v2[DEFAULT_NAME].figures["all"]["never good"]
        before = result.v1[DEFAULT_NAME].figures["all"]["never good"]
        lines.append(
            _line(
                f"{DEFAULT_NAME} with v2: never had a good meetup {never:.3f} "
                f"(goal <= {GOAL_NEVER_GOOD}; v1 {before:.3f})",
                never <= GOAL_NEVER_GOOD,
            )
        )
    worst = {n: result.v2[n].extra["no common language"] for n in judged}
    if worst:
        lines.append(
            _line(
                "v2: members ever placed in a group with no common language, mean per seed: "
                + ", ".join(f"{n} {v:.1f}" for n, v in worst.items())
                + " (goal 0)",
                all(v == 0 for v in worst.values()),
            )
        )
    return lines


def sweep(
    members: int,
    rounds: int,
    seeds: list[int],
    constants: Constants,
    policies: list[Policy],
    weights: list[float],
) -> tuple[str, float]:
    """v2 with each explicit ``about_weight``; the table and the best weight (highest mean
    strong-tie share over the policies, then fewest who never had a good meetup)."""
    rows, score = [], {}
    formats = tuple(Format(2, w) for w in weights)
    run = compare(members, rounds, seeds, constants, policies, formats=formats, world=True)
    for w, fmt in zip(weights, formats, strict=True):
        outs = [run.results[f"{p.name} / {fmt.name}"] for p in policies]
        ties = [o.figures["all"]["tie"] for o in outs]
        nevers = [o.figures["all"]["never good"] for o in outs]
        score[w] = (sum(ties) / len(ties), -sum(nevers) / len(nevers))
        cells = "  ".join(
            f"{t:.3f} {n:.3f} {o.extra['alone']:.3f} {o.extra['pair compatibility']:6.3f}"
            for t, n, o in zip(ties, nevers, outs, strict=True)
        )
        rows.append(f"{w:<13g}| {cells}")
    best = max(score, key=lambda w: score[w])
    head = f"{'about_weight':<13}| " + "  ".join(f"{p.name[:24]:<24}" for p in policies)
    sub = f"{'':<13}| " + "  ".join(f"{'tie   never alone  pair':<24}" for _ in policies)
    table = "\n".join([head, sub, "-" * len(sub), *rows])
    return f"{table}\nbest about_weight: {best:g} ({run.seconds:.0f} s)", best


def _line(text: str, ok: bool) -> str:
    return f"{'met   ' if ok else 'MISSED'} {text}"
