"""``computegrid plan``: co-plan AI data centres with the grid (the main job)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import typer
from rich.markup import escape

from computegrid.cli.render import print_json, print_table

def _quiet() -> None:
    for name in ("pypsa", "linopy", "highspy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)


def print_summary(summary: dict) -> None:
    """Print the side-by-side table and the explanation of a plan."""
    from computegrid.services.plan.summary import HEADLINE_FIGURES

    scen = summary["scenarios"]
    rows = [[escape(f"  {fig.short} [{fig.unit}]" if fig.short else fig.title)] + [fig.value(scen[s]) for s in scen]
            for fig in HEADLINE_FIGURES]
    print_table(f"computegrid plan: {summary['scenario_name']} ({summary['resolution']}, "
                f"{summary['runtime_s']} s)", ["figure", *scen], rows)
    caps = [[site] + [scen[s]["dc_capacity_by_site_mw"].get(site, 0.0) for s in scen]
            for site in scen["co-optimised"]["dc_capacity_by_site_mw"]]
    print_table(escape("data-centre IT capacity by site [MW]"), ["site", *scen], caps)
    for line in summary["explain"]["text"]:
        typer.echo(f"- {line}")


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan(
        scenario: Path = typer.Option(None, "--scenario", help="Scenario YAML (default: packaged china-2030)."),
        set_: list[str] = typer.Option(None, "--set", help="Override one value: key.sub=value (repeatable)."),
        resolution: str = typer.Option(None, "--resolution",
                                       help="Time resolution: 1h, <N>h or rep<K> (K representative days)."),
        expand: bool = typer.Option(None, "--expand/--no-expand",
                                    help="Co-invest in wind, solar, batteries and corridors near the sites."),
        runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Folder of run outputs."),
        run_id: str = typer.Option(None, "--run-id", help="Name of the run folder."),
        as_json: bool = typer.Option(False, "--json", help="Print summary.json."),
    ) -> None:
        """Co-plan AI data-centre siting and hourly scheduling with the power grid."""
        _quiet()
        from computegrid.services.plan.pipeline import run_plan

        result = run_plan(scenario=str(scenario) if scenario else None, overrides=set_ or None,
                          resolution=resolution, out_dir=runs_dir, expand=expand, run_id=run_id)
        if as_json:
            print_json(result.summary)
            return
        print_summary(result.summary)
        typer.echo(f"written: {result.run_dir}")
