"""``computegrid adequacy``: can the grid serve the outlook's AI load? Shortage risk by year and scenario."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from computegrid.cli.render import print_json, print_table


def _parse_years(years: list[str], extra: list[str]) -> list[int]:
    from computegrid.errors import InputError

    out = []
    for item in [*years, *extra]:
        for part in str(item).replace(",", " ").split():
            try:
                out.append(int(part))
            except ValueError:
                raise InputError("--years", part, "whole years, e.g. --years 2027 2030 2035") from None
    return out


def register(app: typer.Typer) -> None:
    """Add the ``adequacy`` command to the app."""

    @app.command("adequacy")
    def adequacy(
        more_years: Annotated[Optional[list[str]], typer.Argument(
            help="More target years (so that --years 2027 2030 2035 works).", show_default=False)] = None,
        years: Annotated[Optional[list[str]], typer.Option(
            "--years", help="Target years in 2024-2035 (space- or comma-separated).")] = None,
        scenario: Annotated[Optional[list[str]], typer.Option(
            "--scenario", help="Outlook scenario (repeatable); default: iea-base, china-official, "
                               "goldman-sachs, high-efficiency.")] = None,
        draws: Annotated[int, typer.Option("--draws", help="Outlook draws per scenario and year.")] = 4,
        seed: Annotated[int, typer.Option("--seed", help="Master random seed of the outlook draws.")] = 0,
        workers: Annotated[int, typer.Option(
            "--workers", help="Dask LocalCluster worker processes (0 = serial, in this process).")] = 2,
        scheduler: Annotated[Optional[str], typer.Option(
            "--scheduler", help="Existing Dask scheduler, e.g. tcp://host:8786 (overrides --workers).")] = None,
        resolution: Annotated[str, typer.Option(
            "--resolution", help="Grid time resolution: rep<K> representative days or <N>h.")] = "rep4",
        supply: Annotated[Optional[list[str]], typer.Option(
            "--supply", help="Fleet: planned (documented build-out) and/or frozen (end-2024 fleet, "
                             "'no new supply'); default both.")] = None,
        demand_growth_floor: Annotated[float, typer.Option(
            "--demand-growth-floor", help="Floor on national base-demand growth after 2025 [1/yr]; 0 = the "
                                          "provincial projections as they are.")] = 0.0,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Put the outlook's AI load on each year's grid; probability of shortage and first short year."""
        from computegrid.services.outlook.adequacy import DEFAULT_YEARS, run_adequacy

        target_years = _parse_years(years or [], more_years or []) or list(DEFAULT_YEARS)
        result = run_adequacy(target_years, scenario, draws=draws, seed=seed, workers=workers,
                              scheduler=scheduler, resolution=resolution, supply_cases=supply,
                              demand_floor_growth_frac_per_year=demand_growth_floor, progress=not as_json)
        if as_json:
            print_json(result)
            return
        for supply_case, per_scenario in result.scenarios.items():
            rows = []
            for name, year_rows in per_scenario.items():
                for r in year_rows:
                    rows.append((name, str(r.year), r.added_load_p50_twh, f"{100 * r.shortage_probability_frac:.0f}%",
                                 f"{100 * r.ai_shortage_probability_frac:.0f}%", r.unserved_energy_p50_twh,
                                 r.baseline_unserved_energy_twh, r.hours_short_p50_h,
                                 ", ".join(r.provinces_short) or "-", r.reserve_margin_min_p50_frac,
                                 r.curtailment_absorbed_p50_twh, f"{r.draws_solved}/{r.draws_solved + r.draws_failed}"))
            print_table(f"Adequacy, supply '{supply_case}' ({result.resolution}, {result.draws} draws, "
                        f"demand-growth floor {result.demand_floor_growth_frac_per_year:g}/yr)",
                        ["scenario", "year", "added TWh P50", "P(short)", "P(AI-caused)", "unserved TWh P50",
                         "w/o AI TWh", "hours short P50", "provinces short", "reserve min P50",
                         "curt. absorbed TWh", "solved"], rows,
                        console=_wide_console())
        for supply_case, firsts in result.first_year_ai_load_unserved.items():
            for name, year in firsts.items():
                typer.echo(f"{supply_case:8s} {name:16s} first year the AI load cannot be served: "
                           f"{year if year is not None else 'none of ' + ', '.join(map(str, result.years))}")
        for f in result.failures:
            typer.echo(f"failed: {f['key']}: {f['error']} (params {f['params']})", err=True)
        typer.echo(f"{result.solves} solves in {result.runtime_s:.1f} s")


def _wide_console():
    from rich.console import Console

    return Console(width=max(Console().width, 160))
