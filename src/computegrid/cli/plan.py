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
    first = next(iter(scen.values())).get("cost_breakdown_cny_per_year")
    keys = list(first) if isinstance(first, dict) else []
    if keys:
        ref = summary.get("reference_no_ai", {})
        cases = ({"no AI": ref} if "cost_breakdown_cny_per_year" in ref else {}) | scen
        rows = [[k] + [c["cost_breakdown_cny_per_year"][k] * 1e-9 for c in cases.values()] for k in keys]
        print_table(escape("cost breakdown [bn CNY/yr]"), ["term", *cases], rows)
    for section in ("binding", "degeneracy"):
        for line in summary.get(section, {}).get("text", []):
            typer.echo(f"- {line}")
    for line in summary["explain"]["text"]:
        typer.echo(f"- {line}")


def register(app: typer.Typer) -> None:
    """Add ``plan`` (the main job) and its sub-commands (``sweep``) to ``app``."""
    plan_app = typer.Typer(help="Co-plan AI data-centre siting and hourly scheduling with the power grid.")

    @plan_app.callback(invoke_without_command=True)
    def plan(
        ctx: typer.Context,
        scenario: Path = typer.Option(None, "--scenario", help="Scenario YAML (default: packaged china-2030)."),
        set_: list[str] = typer.Option(None, "--set", help="Override one value: key.sub=value (repeatable)."),
        resolution: str = typer.Option(None, "--resolution",
                                       help="Time resolution: 1h, <N>h or rep<K> (K representative days)."),
        expand: bool = typer.Option(None, "--expand/--no-expand",
                                    help="Solve the 2030 grid's capacity expansion in every case, with "
                                         "its AI load (minutes)."),
        runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Folder of run outputs."),
        run_id: str = typer.Option(None, "--run-id", help="Name of the run folder."),
        as_json: bool = typer.Option(False, "--json", help="Print summary.json."),
    ) -> None:
        """Co-plan AI data-centre siting and hourly scheduling with the power grid."""
        if ctx.invoked_subcommand is not None:
            return
        _quiet()
        from computegrid.services.plan.pipeline import run_plan

        result = run_plan(scenario=str(scenario) if scenario else None, overrides=set_ or None,
                          resolution=resolution, out_dir=runs_dir, expand=expand, run_id=run_id)
        if as_json:
            print_json(result.summary)
            return
        print_summary(result.summary)
        typer.echo(f"written: {result.run_dir}")

    @plan_app.command("sweep")
    def sweep(
        param: list[str] = typer.Option(..., "--param",
                                        help="KEY=START:STOP:STEP (STOP included) or KEY=a,b,c (repeatable: "
                                             "the product is swept)."),
        scenario: Path = typer.Option(None, "--scenario", help="Base scenario YAML (default: china-2030)."),
        resolution: str = typer.Option("rep12", "--resolution", help="Time resolution of every plan."),
        workers: int = typer.Option(2, "--workers", help="Dask worker processes (0: in this process)."),
        runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="sweeps/<id>/ is written under it."),
        as_json: bool = typer.Option(False, "--json", help="Print the sweep as JSON."),
    ) -> None:
        """Re-plan over a range of one or more inputs; print a row per point and write a chart."""
        _quiet()
        from computegrid.services.plan.sweep import run_plan_sweep

        out = run_plan_sweep(param, scenario=str(scenario) if scenario else None, resolution=resolution,
                             workers=workers, out_dir=runs_dir, progress=not as_json)
        if as_json:
            print_json(out)
            return
        print_sweep(out)

    plan_app.command("move")(move)
    app.add_typer(plan_app, name="plan")


def print_sweep(out: dict) -> None:
    """One row per point: the swept values and the co-optimised headline figures."""
    keys = list(out["params"])
    rows = []
    for r in out["points"]:
        values = [r["point"][k] for k in keys]
        if not r["ok"]:
            rows.append([*values, "failed", r["error"][:60], "", "", ""])
            continue
        co = r["scenarios"]["co-optimised"]
        rows.append([*values, co["system_cost_cny_per_year"] * 1e-9, co["emissions_mt_co2_per_year"],
                     co["curtailment_twh_per_year"], co["ai_energy_west_frac"],
                     r["savings_vs_status_quo_cny_per_year"] * 1e-9])
    print_table(f"plan sweep ({out['resolution']}, {out['n_points']} points, {out['runtime_s']} s)",
                [*keys, "co-opt cost [bn CNY/yr]", "CO2 [Mt/yr]", "curtailment [TWh/yr]", "AI in west [-]",
                 "saving vs status-quo [bn CNY/yr]"], rows)
    slope = out.get("slopes_per_unit")
    if slope:
        cost, co2 = slope["co_optimised_cost_cny_per_year"], slope["co_optimised_co2_mt_per_year"]
        if cost["slope"] is not None:
            typer.echo(f"slope per unit of {slope['key']}: cost {cost['slope'] * 1e-9:+.3f} bn CNY/yr, "
                       f"CO2 {co2['slope']:+.3f} Mt/yr")
    if out.get("path"):
        typer.echo(f"written: {out['path']}")


def move(
    from_site: str = typer.Option(..., "--from", help="Site the load leaves."),
    to_site: str = typer.Option(..., "--to", help="Site the load goes to."),
    mw: float = typer.Option(..., "--mw", help="Constant IT load moved [MW]."),
    run: str = typer.Option(None, "--run", help="Run id under --runs-dir (default: the default scenario, "
                                                 "planned once and cached)."),
    runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Folder of run outputs."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Effect of moving X MW of constant AI load between two sites of a planned grid."""
    _quiet()
    from computegrid.services.plan.move import plan_move

    out = plan_move(from_site, to_site, mw, run_id=run, runs_dir=runs_dir)
    if as_json:
        print_json(out)
        return
    print_table(f"plan move: {out['mw']:,.1f} MW {out['from']} -> {out['to']} (run {out['run_id']})",
                ["figure", "value"],
                [["grid operating cost [M CNY/yr]", out["delta_cost_cny_per_year"] * 1e-6],
                 ["IT capacity added at the destination [MW]", out["destination_capacity_added_mw"]],
                 ["its data-centre capex [M CNY/yr]", out["delta_dc_capex_cny_per_year"] * 1e-6],
                 ["total cost [M CNY/yr]", out["delta_total_cost_cny_per_year"] * 1e-6],
                 ["CO2, average accounting [kt/yr]", out["delta_co2_average_t_per_year"] * 1e-3],
                 ["CO2, marginal accounting [kt/yr]", out["delta_co2_marginal_t_per_year"] * 1e-3],
                 ["wind+solar curtailment [GWh/yr]", out["delta_curtailment_mwh_per_year"] * 1e-3]])
    typer.echo(f"method: {out['method']}")
