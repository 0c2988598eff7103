"""``computegrid outlook``: AI and data-centre electricity to 2035 with uncertainty bands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from computegrid.cli.render import print_json, print_table


def register(app: typer.Typer) -> None:
    """Add the ``outlook`` command to the app.

    Longer than 60 lines: each command is a nested function that Typer registers on ``app``,
    with its options declared in its signature, one per line.
    """

    @app.command("outlook")
    def outlook(
        scenario: Annotated[Optional[list[str]], typer.Option(
            "--scenario", help="Scenario name (repeatable); default: all packaged scenarios.")] = None,
        draws: Annotated[int, typer.Option("--draws", help="Monte Carlo draws per scenario.")] = 10_000,
        seed: Annotated[int, typer.Option("--seed", help="Master random seed.")] = 0,
        region: Annotated[str, typer.Option(
            "--region", help="world, china, china_east or china_west (table, chart, top-level JSON).")] = "china",
        china_split: Annotated[Optional[str], typer.Option(
            "--china-split", help="Override the east/west split: stock or targets.")] = None,
        out: Annotated[Path, typer.Option("--out", help="Folder for the fan chart PNG and HTML.")] = Path(
            "runs/outlook"),
        scenario_file: Annotated[Optional[str], typer.Option(
            "--scenario-file", help="Scenario YAML in the packaged format, instead of the packaged file.")] = None,
        calibrate: Annotated[bool, typer.Option(
            "--calibrate", help="Show each scenario next to the published figure it stands for.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """AI and data-centre electricity 2024-2035: P5/P50/P95 of TWh/yr, average and peak GW."""
        from computegrid.services.outlook.demand import run_calibration, run_outlook

        if calibrate:
            rows = run_calibration(draws=draws, seed=seed, scenario_file=scenario_file)
            if as_json:
                print_json({"draws": draws, "seed": seed, "calibration": rows})
                return
            print_table("Named scenarios vs the published figures they stand for [TWh/yr]",
                        ["#", "scenario", "region", "year", "published", "central", "error", "P5", "P50",
                         "P95", "in P5-P95", "BU/anchor"],
                        [(str(i + 1), r.scenario, r.region, str(r.year),
                          f"{r.published_energy_twh:g}" + (f"-{r.published_energy_high_twh:g}"
                                                           if r.published_energy_high_twh else ""),
                          r.central_energy_twh, f"{100 * r.central_error_frac:+.1f}%", r.p5_energy_twh,
                          r.p50_energy_twh, r.p95_energy_twh, r.inside_p5_p95, r.bottom_up_ratio_base)
                         for i, r in enumerate(rows)],
                        console=_wide_console())
            typer.echo("central = every parameter at its median; error = central vs the published figure "
                       "(middle of a range); in P5-P95 = the published figure or range lies inside the band; "
                       "BU/anchor = bottom-up (fleet) AI level / anchored AI level in the base year.")
            for i, r in enumerate(rows):
                typer.echo(f"[{i + 1}] {r.source}")
            return

        result, _ = run_outlook(scenario, draws=draws, seed=seed, region=region, china_split=china_split,
                                scenario_file=scenario_file)
        files = _write_charts(result, out, scenario_file)
        if as_json:
            payload = {"region": result.region, "years": result.years, "draws": result.draws,
                       "seed": result.seed, "runtime_s": result.runtime_s, "scenarios": result.scenarios,
                       "files": {k: str(v) for k, v in files.items()}}
            print_json(payload)
            return
        for name, s in result.scenarios.items():
            print_table(f"{name} ({result.region}, split: {s.china_split}): data-centre electricity, "
                        f"{result.draws:,} draws",
                        ["year", "P5 TWh", "P50 TWh", "P95 TWh", "AI P50 TWh", "avg P50 GW", "peak P50 GW",
                         "peak P95 GW"],
                        [(str(y), s.energy_twh.p5[i], s.energy_twh.p50[i], s.energy_twh.p95[i],
                          s.ai_energy_twh.p50[i], s.avg_power_gw.p50[i], s.peak_power_gw.p50[i],
                          s.peak_power_gw.p95[i]) for i, y in enumerate(result.years)],
                        console=_wide_console())
        typer.echo(f"fan chart: {files['png']} and {files['html']} ({result.runtime_s:.2f} s)")


def _wide_console():
    from rich.console import Console

    return Console(width=max(Console().width, 140))


def _write_charts(result, out: Path, scenario_file: str | None = None) -> dict[str, Path]:
    from computegrid.report.outlook import write_fan_chart_html, write_fan_chart_png
    from computegrid.services.outlook.demand import available_scenarios

    scenarios = available_scenarios(scenario_file)
    published = {name: [(f.year, f.energy_twh, f.energy_high_twh or f.energy_twh)
                        for f in scenarios[name].stands_for if f.region == result.region]
                 for name in result.scenarios}
    stem = f"outlook_{result.region}"
    return {"png": write_fan_chart_png(result, out / f"{stem}.png", published),
            "html": write_fan_chart_html(result, out / f"{stem}.html")}
