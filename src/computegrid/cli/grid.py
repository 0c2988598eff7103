"""``computegrid grid``: inspect and validate the model of China's power system."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the ``grid`` command group to ``app``.

    Longer than 60 lines: each command is a nested function that Typer registers on ``app``,
    with its options declared in its signature, one per line.
    """
    grid = typer.Typer(help="China's power system model: show inputs, validate the base year.",
                       no_args_is_help=True)

    @grid.command("validate")
    def validate(
        year: str = typer.Option("2020", "--year", help="Base year: 2020 or 2024 (fleet and official "
                                 "statistics bundled)."),
        resolution: str = typer.Option("3h", "--resolution",
                                       help="1h, <N>h (N divides 8760) or rep<K> (K representative days)."),
        fleet_path: Path = typer.Option(None, "--fleet", help="CSV with columns province, carrier, "
                                        "capacity_mw [MW]: rows replacing the base year's fleet."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Run the base-year least-cost dispatch and compare it with official statistics."""
        from computegrid.datasets.grid_base_year import check_base_year
        from computegrid.io.fleet_file import read_user_fleet
        from computegrid.grid.network import parse_resolution
        from computegrid.services.grid_model.grid_validation import GENERATION_KEYS, validate_base_year

        base_year = check_base_year(year)  # fail fast with one line
        parse_resolution(resolution)
        fleet = read_user_fleet(fleet_path, base_year) if fleet_path is not None else None
        report = validate_base_year(base_year, resolution, fleet=fleet)
        if json_out:
            from computegrid.cli.render import print_json

            print_json(report.to_json())
            return
        from computegrid.cli.render import print_table

        off = report.official
        rows = [(f"generation {k} [TWh]", report.generation_twh[k], off["generation_twh"][k],
                 report.miss_frac["generation_twh"][k], report.sources["generation_twh"][k][:70])
                for k in GENERATION_KEYS]
        rows += [(f"curtailment {k} [-]", report.curtailment_frac[k], off["curtailment_frac"][k],
                  report.miss_frac["curtailment_frac"][k], report.sources["curtailment_frac"][k][:70])
                 for k in ("wind", "solar")]
        rows.append(("CO2 per MWh [t/MWh]", report.emission_factor_tco2_per_mwh,
                     off["emission_factor_tco2_per_mwh"], report.miss_frac["emission_factor_tco2_per_mwh"],
                     report.sources["emission_factor_tco2_per_mwh"][:70]))
        print_table(f"Base year {base_year} at {resolution}: model vs official (miss: relative; curtailment: "
                    "difference in share)", ["figure", "model", "official", "miss", "source"], rows)
        print_table("Most congested corridors", ["corridor", "capacity [MW]", "hours at limit [-]",
                                                 "mean use [-]", "congestion rent [CNY]"],
                    [(c["corridor"], c["capacity_mw"], c["congested_frac"], c["utilisation_frac"],
                      c["congestion_rent_cny"]) for c in report.congested_corridors])
        typer.echo(f"unserved energy {report.unserved_energy_twh:.3f} TWh; runtime {report.runtime_s:.1f} s")

    @grid.command("build")
    def build(
        year: int = typer.Option(2030, "--year", help="Target year 2025..2030 (brownfield expansion)."),
        resolution: str = typer.Option("rep12", "--resolution",
                                       help="rep<K> (K representative days) or <N>h; rep12 takes minutes."),
        rebuild: bool = typer.Option(False, "--rebuild", help="Solve again even if a cached network exists."),
        report_path: Path = typer.Option(None, "--report", help="Also write the HTML plausibility report."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Build the grid of a future year by capacity expansion from the base year; cache it as netCDF."""
        from computegrid.grid.network import parse_resolution
        from computegrid.services.grid_model.grid_expansion import build_report, check_year, expanded_network

        check_year(year)
        parse_resolution(resolution)  # fail fast with one line
        if report_path is not None and report_path.suffix.lower() != ".html":
            from computegrid.errors import InputError

            raise InputError("--report", str(report_path), "a path ending in .html")
        run = expanded_network(year, resolution, use_cache=not rebuild)
        out = build_report(run, year, resolution)
        if report_path is not None:
            from computegrid.report.expansion_report import write_expansion_report

            out["report_html"] = str(write_expansion_report(run.network, out, report_path))
        if json_out:
            from computegrid.cli.render import print_json

            print_json(out)
            return
        from computegrid.cli.render import print_table

        cap = out["capacity_gw"]
        print_table(f"Grid {year} ({resolution}, from base year {out['base_year']}): capacity [GW]",
                    ["carrier", "existing", "new", "total", "generation [TWh]"],
                    [(c, v["existing"], v["new"], v["total"], out["generation_twh"].get(c, 0.0))
                     for c, v in cap.items()])
        typer.echo(f"demand {out['demand_twh']:.0f} TWh; non-fossil share {out['non_fossil_share']:.3f}; "
                   f"curtailment wind {out['curtailment_frac']['wind']:.3f} "
                   f"solar {out['curtailment_frac']['solar']:.3f}; "
                   f"CO2 {out['emission_factor_tco2_per_mwh']:.3f} t/MWh; transmission added "
                   f"{out['transmission_added_gw']:.1f} GW; network {out['network_path']} "
                   f"({'cached' if out['cached'] else 'built'} in {out['runtime_s']:.0f} s)")

    @grid.command("show")
    def show(
        year: int = typer.Option(2020, "--year", help="Demand year 2020..2060 (2020 fleet)."),
        map_path: Path = typer.Option(Path("grid-map.png"), "--map", help="Where to write the PNG map."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Print buses, capacities by carrier, corridors and sites; write a PNG map."""
        from computegrid.datasets.grid import DEMAND_YEARS
        from computegrid.errors import InputError
        from computegrid.services.grid_model.grid_inspect import describe_grid, write_map

        if not DEMAND_YEARS[0] <= year <= DEMAND_YEARS[-1]:
            raise InputError("--year", year, f"a year from {DEMAND_YEARS[0]} to {DEMAND_YEARS[-1]}")
        if map_path.suffix.lower() != ".png":
            raise InputError("--map", str(map_path), "a path ending in .png")
        desc = describe_grid(year)
        written = write_map(desc, map_path)
        if json_out:
            from computegrid.cli.render import print_json

            print_json({"year": year, "buses": desc.buses.reset_index().to_dict(orient="records"),
                        "capacity_gw": desc.capacity_gw.sum().to_dict(),
                        "capacity_by_province_gw": desc.capacity_gw.to_dict(orient="index"),
                        "corridors": desc.corridors.reset_index().to_dict(orient="records"),
                        "sites": desc.sites.reset_index().drop(columns=["source"]).to_dict(orient="records"),
                        "map_png": str(written)})
            return
        from computegrid.cli.render import print_table

        b = desc.buses
        print_table(f"Buses ({len(b)}), demand {year}", ["code", "name", "lat [deg]", "lon [deg]",
                                                          "demand [TWh]", "peak [GW]", "grid CO2 2023 [g/kWh]"],
                    [(i, r["name"], r["latitude_deg"], r["longitude_deg"], r["demand_twh"], r["peak_demand_gw"],
                      r["grid_emission_factor_2023_gco2_per_kwh"]) for i, r in b.iterrows()])
        cap = desc.capacity_gw
        print_table("Capacity by carrier [GW] (2020 fleet; wind/solar: capacity online all year)",
                    ["code", *cap.columns], [(i, *r.to_list()) for i, r in cap.iterrows()]
                    + [("total", *cap.sum().to_list())])
        c = desc.corridors
        print_table(f"Corridors ({len(c)})", ["corridor", "capacity [MW]"],
                    [(i, r["capacity_mw"]) for i, r in c.iterrows()])
        s = desc.sites
        print_table(f"Candidate sites ({len(s)})", ["site", "province", "kind", "side", "PUE", "cap IT [MW]",
                                                    "capex [CNY/kW IT]"],
                    [(i, r["province"], r["kind"], r["side"], r["pue"], r["capacity_max_mw"],
                      r["capex_cny_per_kw_it"]) for i, r in s.iterrows()])
        typer.echo(f"map written to {written}")

    @grid.command("resolutions")
    def resolutions(
        year: int = typer.Option(2020, "--year"),
        reference: str = typer.Option("1h", "--reference", help="Reference resolution (full hourly year)."),
        compare: str = typer.Option("3h,24h,rep12", "--compare", help="Comma-separated reduced resolutions."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Error of reduced time resolutions (objective, generation by carrier) against the reference."""
        from computegrid.grid.network import parse_resolution
        from computegrid.services.grid_model.grid_resolution import compare_resolutions

        reduced = tuple(r.strip() for r in compare.split(",") if r.strip())
        for r in (reference, *reduced):
            parse_resolution(r)
        out = compare_resolutions(year, reference, reduced)
        if json_out:
            from computegrid.cli.render import print_json

            print_json(out)
            return
        from computegrid.cli.render import print_table

        print_table(f"Reduced resolutions vs {reference} ({out['reference']['n_snapshots']} snapshots, "
                    f"solve {out['reference']['solve_s']:.0f} s)",
                    ["resolution", "snapshots", "objective error [-]", "max generation error [-]", "solve [s]"],
                    [(r["resolution"], r["n_snapshots"], r["objective_error_frac"], r["max_generation_error_frac"],
                      r["solve_s"]) for r in out["reduced"]])

    app.add_typer(grid, name="grid")
