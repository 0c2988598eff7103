"""``computegrid estimate``: energy of training runs, inference, fleets and GPU-years.

Parse options, call :mod:`computegrid.services.workload.estimate`, render a table or one JSON object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from computegrid.cli.render import print_json, print_table

HARDWARE_FILE_HELP = "CSV or YAML with extra hardware rows (columns as the bundled hardware.csv)."


def _catalog(hardware_file: Optional[Path]):
    from computegrid.datasets.workload import load_hardware_catalog

    catalog = load_hardware_catalog()
    if hardware_file is not None:
        from computegrid.io.hardware_file import read_hardware_file

        catalog = catalog.extended(read_hardware_file(hardware_file))
    return catalog


def register(app: typer.Typer) -> None:
    """Add the ``estimate`` group to ``app``.

    Longer than 60 lines: each command is a nested function that Typer registers on ``app``,
    with its options declared in its signature, one per line.
    """
    group = typer.Typer(help="Estimate the energy and emissions of AI workloads.",
                        no_args_is_help=False, invoke_without_command=True)

    @group.callback()
    def _estimate(
        ctx: typer.Context,
        from_codecarbon: Optional[Path] = typer.Option(
            None, "--from-codecarbon", help="Import a CodeCarbon emissions.csv and sum its runs."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Estimate the energy and emissions of AI workloads."""
        if from_codecarbon is None:
            if ctx.invoked_subcommand is None:
                typer.echo(ctx.get_help())
            return
        if ctx.invoked_subcommand is not None:
            from computegrid.errors import InputError

            raise InputError("--from-codecarbon", str(from_codecarbon),
                             "use it without a subcommand: computegrid estimate --from-codecarbon FILE")
        from computegrid.io.codecarbon import read_codecarbon_emissions
        from computegrid.services.workload.estimate import summarise_codecarbon

        summary = summarise_codecarbon(read_codecarbon_emissions(from_codecarbon))
        if json_out:
            print_json(summary)
            return
        print_table(f"CodeCarbon runs in {from_codecarbon.name}", ["quantity", "value", "unit"], [
            ("runs", summary.n_runs, "-"),
            ("duration", summary.duration_h, "h"),
            ("energy", summary.energy_kwh, "kWh"),
            ("emissions", summary.emissions_kgco2, "kgCO2e"),
            ("implied carbon intensity", summary.implied_carbon_intensity_kg_per_kwh, "kgCO2e/kWh"),
        ])

    @group.command("training")
    def _training(
        accelerator: str = typer.Option(..., "--accelerator", help="Catalog id, e.g. v100, h100-sxm."),
        n_accelerators: int = typer.Option(..., "--n-accelerators", help="Accelerators used. [-]"),
        avg_power_w: Optional[float] = typer.Option(
            None, "--avg-power-w", help="Mean measured power per accelerator [W]; default: board power."),
        days: Optional[float] = typer.Option(None, "--days", help="Duration of the run. [d]"),
        flops: Optional[float] = typer.Option(None, "--flops", help="Total training compute. [FLOP]"),
        parameters: Optional[float] = typer.Option(None, "--parameters", help="Model parameters N. [-]"),
        tokens: Optional[float] = typer.Option(None, "--tokens", help="Training tokens D (6 x N x D). [-]"),
        mfu: Optional[float] = typer.Option(None, "--mfu", help="Model FLOPs utilisation in (0, 1]. [-]"),
        pue: float = typer.Option(1.0, "--pue", help="Power usage effectiveness. [-]"),
        carbon_intensity: Optional[float] = typer.Option(
            None, "--carbon-intensity-kg-per-kwh", help="Grid intensity. [kgCO2e/kWh]"),
        hardware_file: Optional[Path] = typer.Option(None, "--hardware-file", help=HARDWARE_FILE_HELP),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Energy of a training run from its duration (--days) or its compute (--flops or
        --parameters with --tokens, and --mfu)."""
        from computegrid.services.workload.estimate import estimate_training

        est = estimate_training(_catalog(hardware_file), accelerator, n_accelerators,
                                avg_power_w=avg_power_w, days=days, flops=flops,
                                parameters=parameters, tokens=tokens, mfu=mfu, pue=pue,
                                carbon_intensity_kg_per_kwh=carbon_intensity)
        if json_out:
            print_json(est)
            return
        rows = [
            ("accelerator", est.accelerator, ""),
            ("accelerators", est.n_accelerators, "-"),
            (f"mean power per accelerator ({est.avg_power_basis})", est.avg_power_w, "W"),
        ]
        if est.total_flops is not None:
            rows += [("compute", est.total_flops, "FLOP"),
                     ("peak per accelerator", est.peak_tflops_per_accelerator, "TFLOPS"),
                     ("MFU", est.mfu_frac, "-")]
        rows += [(f"duration ({est.duration_basis})", est.duration_days, "d"),
                 ("PUE", est.pue, "-"),
                 ("energy", est.energy_mwh, "MWh")]
        if est.emissions_tco2 is not None:
            rows += [("carbon intensity", est.carbon_intensity_kg_per_kwh, "kgCO2e/kWh"),
                     ("emissions", est.emissions_tco2, "tCO2e")]
        print_table("Training run", ["quantity", "value", "unit"], rows)

    @group.command("inference")
    def _inference(
        task: str = typer.Option(..., "--task", help="Task id, e.g. image-generation, text-generation."),
        n_items: int = typer.Option(..., "--n-items", help="Requests or images. [-]"),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Energy of inferences from the per-task table of Luccioni et al. (FAccT 2024)."""
        from computegrid.datasets.workload import load_luccioni_inference
        from computegrid.services.workload.estimate import estimate_inference

        est = estimate_inference(load_luccioni_inference(), task, n_items)
        if json_out:
            print_json(est)
            return
        print_table(f"Inference: {est.task}", ["quantity", "value", "unit"], [
            ("items", est.n_items, "-"),
            ("energy per item (mean over models)", est.energy_wh_per_item, "Wh"),
            ("  std over models", est.energy_wh_per_item_std, "Wh"),
            ("energy", est.energy_kwh, "kWh"),
            (f"smartphone charges ({est.smartphone_charge_kwh} kWh each)", est.smartphone_charges, "-"),
        ])
        typer.echo(f"source: {est.source}")

    @group.command("fleet")
    def _fleet(
        servers: int = typer.Option(..., "--servers", help="Servers in the fleet. [-]"),
        server: str = typer.Option(..., "--server", help="Catalog server id, e.g. dgx-h100."),
        utilisation: float = typer.Option(1.0, "--utilisation", help="Mean power / max, in (0, 1]. [-]"),
        pue: float = typer.Option(1.0, "--pue", help="Power usage effectiveness. [-]"),
        hardware_file: Optional[Path] = typer.Option(None, "--hardware-file", help=HARDWARE_FILE_HELP),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Annual electricity of a server fleet and the countries that use about as much."""
        from computegrid.datasets.workload import load_country_electricity
        from computegrid.services.workload.estimate import estimate_fleet

        est = estimate_fleet(_catalog(hardware_file), server, servers, utilisation, pue,
                             countries=load_country_electricity())
        if json_out:
            print_json(est)
            return
        print_table(f"Fleet of {est.n_servers:,} x {est.server}", ["quantity", "value", "unit"], [
            ("server power (max)", est.server_power_w, "W"),
            ("utilisation", est.utilisation_frac, "-"),
            ("PUE", est.pue, "-"),
            ("energy", est.energy_twh_per_year, "TWh/yr"),
        ])
        print_table("Countries with about the same annual electricity (generation, codecarbon/OWID)",
                    ["country", "year", "TWh/yr", "fleet / country"],
                    [(c["country_name"], str(c["year"]), c["electricity_twh_per_year"], c["ratio"])
                     for c in est.closest_countries])

    @group.command("gpu-year")
    def _gpu_year(
        accelerator: str = typer.Option(..., "--accelerator", help="Catalog id, e.g. h100-sxm."),
        utilisation: float = typer.Option(..., "--utilisation", help="Mean power / board power, in (0, 1]. [-]"),
        pue: float = typer.Option(1.0, "--pue", help="Power usage effectiveness. [-]"),
        hardware_file: Optional[Path] = typer.Option(None, "--hardware-file", help=HARDWARE_FILE_HELP),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """One accelerator for a year (8,760 h), compared with US and Chinese households."""
        from computegrid.services.workload.estimate import estimate_gpu_year

        est = estimate_gpu_year(_catalog(hardware_file), accelerator, utilisation, pue)
        if json_out:
            print_json(est)
            return
        print_table(f"{est.accelerator} for one year", ["quantity", "value", "unit"], [
            ("board power", est.power_w, "W"),
            ("utilisation", est.utilisation_frac, "-"),
            ("PUE", est.pue, "-"),
            ("energy", est.energy_kwh_per_year, "kWh/yr"),
            (f"US households ({est.us_household_kwh_per_year:,.0f} kWh/yr, EIA 2020)",
             est.us_households, "-"),
            (f"Chinese households ({est.china_household_kwh_per_year:,.0f} kWh/yr, NEA 2023 / census 2020)",
             est.china_households, "-"),
        ])

    app.add_typer(group, name="estimate")
