"""``computegrid grid build``: bad input, and the JSON fields read from a cached expansion network.

The full rep12 expansion takes minutes (benchmarks/grid_expansion.py measures it), so the JSON test puts a
small solved expansion network (two provinces) where the cache lookup finds it and checks every field
the command promises and the arithmetic of a few of them.
"""

import json
import os
import subprocess
import sys
import warnings

import pandas as pd
import pytest


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "computegrid", *args], capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.mark.parametrize("args, field", [(("--year", "2031"), "--year"), (("--year", "2020"), "--year"),
                                         (("--resolution", "7h"), "resolution"),
                                         (("--report", "r.txt"), "--report")])
def test_bad_input_is_one_line(args, field):
    proc = run_cli("grid", "build", *args)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}"), proc.stderr
    if field == "--year":
        assert "2025" in lines[0] and "2030" in lines[0]


def _small_solved_network():
    import pypsa

    from computegrid.grid.capacity_expansion import ExpansionParameters, fix_capacities, solve_expansion

    n = pypsa.Network()
    snaps = pd.DatetimeIndex(["2020-01-01 12:00", "2020-01-02 00:00"])
    n.set_snapshots(snaps)
    n.snapshot_weightings.loc[:, :] = 4380.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for c, co2 in (("coal", 0.85), ("gas", 0.4), ("solar", 0.0), ("AC", 0.0)):
            n.add("Carrier", c, co2_emissions=co2)
        n.add("Bus", ["NM", "SD"], carrier="AC")
        n.add("Load", "SD", bus="SD", p_set=pd.Series(100.0, index=snaps))
        n.add("Generator", "SD coal", bus="SD", carrier="coal", p_nom=60.0, marginal_cost=300.0)
        n.add("Generator", "SD gas new", bus="SD", carrier="gas", p_nom_extendable=True, capital_cost=5e4,
              marginal_cost=600.0)
        n.add("Generator", "NM solar new", bus="NM", carrier="solar", p_nom_extendable=True, capital_cost=1e5,
              p_max_pu=pd.Series([1.0, 0.0], index=snaps), p_nom_max=150.0)
        n.add("Link", "NM-SD HVDC new", bus0="NM", bus1="SD", carrier="AC", p_nom_extendable=True,
              p_min_pu=-1.0, capital_cost=2e4)
    solve_expansion(n, ExpansionParameters(non_fossil_share_min_frac=0.0, wind_solar_min_mw=0.0),
                    solver_options={"solver": "simplex"})
    fix_capacities(n)
    return n


def test_json_fields_from_the_cached_network(tmp_path):
    from computegrid.services.grid_model.grid_expansion import expansion_cache_path

    env = {**os.environ, "COMPUTEGRID_CACHE_DIR": str(tmp_path)}
    os.environ["COMPUTEGRID_CACHE_DIR"] = str(tmp_path)
    try:
        path = expansion_cache_path(2030, "rep12")
    finally:
        del os.environ["COMPUTEGRID_CACHE_DIR"]
    path.parent.mkdir(parents=True)
    _small_solved_network().export_to_netcdf(str(path))
    report = tmp_path / "report.html"
    proc = run_cli("grid", "build", "--year", "2030", "--json", "--report", str(report), env=env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for key in ("year", "resolution", "demand_twh", "capacity_gw", "generation_twh", "curtailment_frac",
                "curtailment_frac_by_province", "non_fossil_share", "emission_factor_tco2_per_mwh",
                "transmission_added_gw", "network_path", "runtime_s"):
        assert key in out, key
    assert out["year"] == 2030 and out["resolution"] == "rep12" and out["cached"] is True
    assert out["network_path"] == str(path)
    assert out["demand_twh"] == pytest.approx(100 * 8760 / 1e6)
    assert out["capacity_gw"]["solar"]["new"] == pytest.approx(0.1, rel=1e-6)
    assert out["capacity_gw"]["coal"]["existing"] == pytest.approx(0.06)
    assert out["transmission_added_gw"] == pytest.approx(0.1, rel=1e-6)
    assert out["non_fossil_share"] == pytest.approx(0.5, rel=1e-6)
    assert set(out["curtailment_frac"]) == {"wind", "solar"}
    assert out["curtailment_frac_by_province"]["solar"]["NM"] == pytest.approx(0.0, abs=1e-9)
    # CO2 per MWh: night 60 MW coal (0.85 t/MWh) + 40 MW gas (0.4), over 200 MWh of the two snapshots
    assert out["emission_factor_tco2_per_mwh"] == pytest.approx((60 * 0.85 + 40 * 0.4) / 200, rel=1e-6)
    text = report.read_text()
    assert out["report_html"] == str(report) and "published 2030 expectations" in text
    assert "data:image/png;base64," in text and "NM-SD HVDC new" in text
