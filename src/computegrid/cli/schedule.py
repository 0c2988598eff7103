"""``computegrid schedule``: compare scheduling policies on a real job trace."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from computegrid.io.atomic import atomic_write

def register(app: typer.Typer) -> None:
    """Add the ``schedule`` command to the app.

    Longer than 60 lines: each command is a nested function that Typer registers on ``app``,
    with its options declared in its signature, one per line.
    """

    @app.command("schedule")
    def schedule(
        trace: str = typer.Option("philly", "--trace",
                                  help="philly, azure-llm, or a CSV file of jobs (docs/scheduling.md)."),
        policy: Optional[list[str]] = typer.Option(
            None, "--policy",
            help="Policy to run (repeat): fifo-local, temporal, spatial, greedy, optimal. "
                 "Default: the four heuristics."),
        sites: Optional[Path] = typer.Option(
            None, "--sites", help="CSV of sites: site, province, latitude_deg, longitude_deg, pue, "
                                  "n_accelerators."),
        signals: Optional[Path] = typer.Option(
            None, "--signals", help="CSV of signals (tidy, Electricity Maps or WattTime shape)."),
        run: Optional[Path] = typer.Option(None, "--run", help="Co-planning run folder with signals.parquet."),
        sample: Optional[int] = typer.Option(None, "--sample", help="Keep N consecutive jobs."),
        sample_offset: int = typer.Option(0, "--sample-offset", help="First job of the sample (by submit time)."),
        accelerators_per_site: Optional[int] = typer.Option(
            None, "--accelerators-per-site", help="Accelerators at each default site (default: sized "
                                                  "for the trace)."),
        online: bool = typer.Option(False, "--online", help="Policies see only a forecast from past signals."),
        forecast_error_frac: float = typer.Option(0.1, "--forecast-error-frac",
                                                  help="Relative noise of the online forecast."),
        carbon_price_cny_per_tco2: float = typer.Option(100.0, "--carbon-price-cny-per-tco2",
                                                        help="Carbon price in the cost objective."),
        objective: str = typer.Option(
            "cost", "--objective",
            help="What the policies minimise: cost (price + carbon price x marginal factor), "
                 "co2-marginal, co2-average (emissions at that factor) or curtailment (grid "
                 "energy: use as much otherwise-curtailed power as possible)."),
        time_limit_s: float = typer.Option(300.0, "--time-limit-s", help="Time limit of the optimal policy."),
        out: Optional[Path] = typer.Option(None, "--out", help="Write every policy's schedule to this "
                                                               "CSV (one row per policy and job)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Place a trace's jobs on data-centre sites by several policies and compare them."""
        from computegrid.cli.render import print_json
        from computegrid.errors import InputError
        from computegrid.scheduling.problem import ScheduleParams
        from computegrid.services.schedule.scheduler import DEFAULT_POLICIES, run_schedule

        if out is not None and not out.parent.exists():
            raise InputError("--out", str(out), "a path in an existing folder")
        params = ScheduleParams(online=online, forecast_error_frac=forecast_error_frac,
                                carbon_price_cny_per_tco2=carbon_price_cny_per_tco2,
                                objective=objective)
        res = run_schedule(trace, list(policy) if policy else list(DEFAULT_POLICIES),
                           sites_file=sites, signals_file=signals, run_dir=run, sample=sample,
                           sample_offset=sample_offset, accelerators_per_site=accelerators_per_site,
                           params=params, optimal_time_limit_s=time_limit_s,
                           return_schedules=out is not None)
        if out is not None:
            import pandas as pd

            frame = pd.concat([s.assign(policy=p) for p, s in res.pop("schedules").items()],
                              ignore_index=True)
            atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False))
        if as_json:
            print_json(res)
            return
        print_result(res)


def print_result(res: dict) -> None:
    """The comparison as a table: one column per policy, a last row naming the signals."""
    from computegrid.cli.render import print_table

    cols = ["energy_mwh", "cost_cny", "emissions_marginal_tco2", "emissions_average_tco2",
            "curtailment_absorbed_mwh", "objective_value", "mean_delay_h", "p95_delay_h",
            "deadline_misses", "capacity_violations", "latency_violations", "runtime_s"]
    inst = res["instance"]
    unit = next(iter(res["policies"].values()))["objective_unit"]
    title = (f"{inst['n_jobs']:,} jobs of {inst['trace']} on {inst['n_sites']} sites "
             f"({'online' if inst['online'] else 'offline'}; minimising {inst['objective']} "
             f"[{unit}])")
    names = list(res["policies"])
    rows = [[c] + [res["policies"][p][c] for p in names] for c in cols]
    rows.append(["signal_source", res["signal_source"]] + [""] * (len(names) - 1))
    print_table(title, ["metric", *names], rows)
