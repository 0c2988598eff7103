"""The run folder of a plan (``runs/<run-id>/``): tidy tables, scheduler signals, the network, the
report and ``summary.json``, written atomically."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from computegrid.errors import InputError
from computegrid.io.jsonable import to_jsonable
from computegrid.services.plan.inputs import PlanInputs

if TYPE_CHECKING:
    from computegrid.services.plan.pipeline import PlanResult


def signals_frame(inputs: PlanInputs, n) -> pd.DataFrame:
    """Per site and snapshot signals for the scheduler (from the co-optimised plan)."""
    from computegrid.grid import coplan_results as cr
    from computegrid.grid import results as R

    curt = R.curtailed_by_bus_mw(n)
    price = R.marginal_prices_cny_per_mwh(n)
    avg = cr.average_intensity_kg_per_mwh(n)
    marg = cr.marginal_intensity_kg_per_mwh(n)
    frames = []
    for site, bus in inputs.sites.bus.items():
        frames.append(pd.DataFrame({
            "timestamp": pd.DatetimeIndex(n.snapshots), "site": site,
            "curtailed_mw": curt[bus].to_numpy(), "price_cny_per_mwh": price[bus].to_numpy(),
            "co2_avg_kg_per_mwh": avg[bus].to_numpy(), "co2_marginal_kg_per_mwh": marg[bus].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def tidy_results(inputs: PlanInputs, result: PlanResult) -> dict[str, pd.DataFrame]:
    """Tidy tables of a plan: AI load per scenario/class/site/snapshot, site figures, metrics."""
    rows, site_rows, metric_rows = [], [], []
    for name, res in result.results.items():
        load = res.site_load_it_mw.stack().rename("it_load_mw").reset_index()
        load.columns = ["class", "site", "timestamp", "it_load_mw"]
        load["facility_load_mw"] = load.it_load_mw * load.site.map(inputs.sites.pue.astype(float))
        load.insert(0, "scenario", name)
        rows.append(load)
        m = result.summary["scenarios"][name]
        for site in inputs.sites.index:
            site_rows.append({"scenario": name, "site": site, "bus": inputs.sites.bus[site],
                              "side": inputs.sites.side[site], "kind": inputs.sites.kind[site],
                              "capacity_it_mw": m["dc_capacity_by_site_mw"].get(site, 0.0),
                              "ai_energy_twh_per_year": m["ai_energy_by_site_twh_per_year"].get(site, 0.0),
                              "mean_price_cny_per_mwh": m["mean_price_at_sites_cny_per_mwh"].get(site)})
        for key, value in m.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                metric_rows.append({"scenario": name, "metric": key, "value": float(value)})
    return {"ai_load": pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(),
            "sites": pd.DataFrame(site_rows), "metrics": pd.DataFrame(metric_rows)}


def write_run(result: PlanResult, inputs: PlanInputs, out_dir: Path, figures: bool = True) -> Path:
    """Write a run folder atomically: build it in a temporary folder, then rename."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / result.run_id
    if final.exists():
        raise InputError("run_id", result.run_id, "allowed: a run id not used yet in " + str(out_dir))
    tmp = Path(tempfile.mkdtemp(prefix=f".{result.run_id}.", dir=out_dir))
    try:
        for name, frame in tidy_results(inputs, result).items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        result.signals.to_parquet(tmp / "signals.parquet", index=False)
        result.networks["co-optimised"].export_to_netcdf(tmp / "network.nc")
        if figures:
            from computegrid.report.plan_report import write_report
            from computegrid.services.plan.summary import HEADLINE_FIGURES

            write_report(tmp, result, inputs, HEADLINE_FIGURES)
        (tmp / "summary.json").write_text(json.dumps(to_jsonable(result.summary), indent=2), encoding="utf-8")
        tmp.replace(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final
