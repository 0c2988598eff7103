"""``computegrid headroom``: flexible-load headroom by region (Norris et al. 2025, and on the grid model)."""

from __future__ import annotations

from pathlib import Path

import typer


def _limits(first: list[str] | None, extra: list[str]) -> list[str]:
    """``--limits 0.25 0.5 1 5``, ``--limits 0.25,0.5`` or ``--limits 0.25 --limits 0.5``: all values."""
    values = []
    for item in [*(first or []), *extra]:
        values.extend(v for v in str(item).split(",") if v.strip())
    return values


def register(app: typer.Typer) -> None:
    """Add the ``headroom`` command to ``app``."""

    @app.command("headroom", context_settings={"allow_extra_args": True})
    def headroom(
        ctx: typer.Context,
        year: int = typer.Option(None, "--year", help="Demand year of the bundled China data (default: "
                                                      "the base year)."),
        load_file: Path = typer.Option(None, "--load-file", help="CSV: timestamp (ISO 8601, hourly) and "
                                                                 "one column per region in MW."),
        limits: list[str] = typer.Option(None, "--limits", help="Curtailment limits in percent, in (0, 100) "
                                                                "(default 0.25 0.5 1 5)."),
        method: str = typer.Option("peak", "--method", help="peak (Norris et al. 2025) or grid (the "
                                                            "dispatch model, China only)."),
        resolution: str = typer.Option(None, "--resolution", help="Grid method: <N>h (default 24h)."),
        report_dir: Path = typer.Option(None, "--report-dir", help="Write headroom.html, the bar chart and "
                                                                   "the map into this folder."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """How much constant new load each region takes without new capacity, if that load accepts
        curtailment of at most each limit of its energy."""
        from computegrid.demand.headroom import DEFAULT_LIMITS_PCT
        from computegrid.errors import InputError
        from computegrid.services.outlook import headroom as svc

        if ctx.args and not limits:
            raise InputError("arguments", " ".join(ctx.args), "options only (values belong to --limits)")
        pct = svc.validate_limits_pct(_limits(limits, ctx.args) if limits else DEFAULT_LIMITS_PCT)
        result = svc.compute_headroom(year=svc.BASE_YEAR if year is None else year, load_file=load_file,
                                      limits_pct=pct, method=method,
                                      resolution=resolution or svc.GRID_RESOLUTION)
        written = []
        if report_dir is not None:
            written = svc.write_report(result, report_dir)
        if json_out:
            from computegrid.cli.render import print_json

            out = result.to_json()
            if written:
                out["report_files"] = [str(p) for p in written]
            print_json(out)
            return
        _print_tables(result)
        for p in written:
            typer.echo(f"written {p}")


def _print_tables(result) -> None:
    from computegrid.cli.render import print_table

    limits = result.limits_pct
    head = [f"{p:g} % [GW]" for p in limits]
    rows = [(r.region, kind, r.peak_mw / 1e3, r.load_factor, *[h / 1e3 for h in r.headroom_mw])
            for r, kind in zip(result.regions, result.kinds)]
    rows.append(("total", "", "", "", *[t / 1e3 for t in result.total_headroom_mw]))
    title = (f"Headroom by {result.method} method" + (f", {result.year}" if result.year else "")
             + " (new constant load served with at most each share of its energy curtailed)")
    print_table(title, ["region", "kind", "peak [GW]", "load factor [-]", *head], rows)
    stats = [(r.region, *[f"{h:.0f} h / {d:.1f} h / {k:.2f}" if h else "0 h"
                          for h, d, k in zip(r.curtailed_hours_per_year, r.mean_event_duration_h,
                                             r.hours_retaining_50pct_frac)])
             for r in result.regions]
    print_table("Curtailed hours per year / mean event duration / share of curtailed hours keeping >= 50 %",
                ["region", *[f"{p:g} %" for p in limits]], stats)
    for note in [result.source, *result.notes]:
        typer.echo(f"note: {note}")
    typer.echo(f"run time {result.runtime_s:.2f} s")
