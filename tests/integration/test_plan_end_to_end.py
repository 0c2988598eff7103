"""`computegrid plan` end to end on the real China data at a coarse resolution (1 representative day)."""

import json
import subprocess
import sys

import pandas as pd
import pypsa
import pytest

from computegrid.cli.app import main

REQUIRED = ("system_cost_cny_per_year", "emissions_mt_co2_per_year", "curtailment_twh_per_year",
            "ai_energy_twh_per_year", "ai_energy_by_site_twh_per_year", "ai_energy_from_curtailment_frac",
            "unserved_energy_twh_per_year", "latency_compliance_frac", "dc_capacity_by_site_mw")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    proc = subprocess.run([sys.executable, "-m", "computegrid", "plan", "--resolution", "rep1", "--runs-dir",
                           str(runs), "--run-id", "t1", "--json"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return runs, json.loads(proc.stdout)


def test_summary_has_the_contract_fields(run):
    _, s = run
    assert s["status"] == "ok" and s["runtime_s"] > 0
    assert set(s["scenarios"]) == {"status-quo", "west-static", "grid-responsive", "co-optimised"}
    for m in s["scenarios"].values():
        for key in REQUIRED:
            assert key in m
        assert m["latency_compliance_frac"] == pytest.approx(1.0)
        assert m["unserved_energy_twh_per_year"] >= 0
        assert 0.0 <= m["ai_energy_from_curtailment_frac"] <= 1.0
        # every TWh of IT work is served (140 TWh = 175 TWh / PUE 1.25)
        assert m["ai_it_energy_twh_per_year"] == pytest.approx(140.0, rel=1e-3)


def test_cost_breakdown_adds_up_to_the_system_cost(run):
    """Each term is computed from the solved network; their sum is the objective (within 1e-6)."""
    _, s = run
    keys = ["it_capex", "facility_capex", "generation_capex", "storage_capex", "transmission_capex",
            "fuel", "carbon", "unserved"]
    for case in [*s["scenarios"].values(), s["reference_no_ai"]]:
        b = case["cost_breakdown_cny_per_year"]
        assert list(b) == keys
        assert sum(b.values()) == pytest.approx(case["system_cost_cny_per_year"], rel=1e-6)
        assert b["fuel"] > 0 and b["carbon"] > 0
    sq = s["scenarios"]["status-quo"]
    assert sq["grid_value_vs_status_quo_cny_per_year"] == pytest.approx(0.0, abs=1e-3)
    co = s["scenarios"]["co-optimised"]
    total_saving = sq["system_cost_cny_per_year"] - co["system_cost_cny_per_year"]
    assert (co["grid_value_vs_status_quo_cny_per_year"] + co["dc_capex_saving_vs_status_quo_cny_per_year"]
            == pytest.approx(total_saving, rel=1e-6))
    # western sites have a lower PUE than the metros (sites.csv), so moving work west saves facility energy
    assert s["scenarios"]["west-static"]["grid_value_pue_cny_per_year"] > 0
    assert 0.0 < s["reference_no_ai"]["curtailment_frac"] < 1.0
    assert co["curtailment_no_ai_frac"] == pytest.approx(s["reference_no_ai"]["curtailment_frac"])


def test_co_optimised_is_cheapest(run):
    _, s = run
    co = s["scenarios"]["co-optimised"]["system_cost_cny_per_year"]
    assert co <= s["scenarios"]["status-quo"]["system_cost_cny_per_year"] * (1 + 1e-6)
    assert co <= s["scenarios"]["west-static"]["system_cost_cny_per_year"] * (1 + 1e-6)
    assert s["explain"]["text"]


def test_run_folder_contents(run):
    runs, s = run
    d = runs / "t1"
    for name in ("summary.json", "ai_load.parquet", "sites.parquet", "metrics.parquet", "signals.parquet",
                 "network.nc", "report.html", "dispatch.png", "comparison.png", "capacity_map.png"):
        assert (d / name).is_file(), name
    assert json.loads((d / "summary.json").read_text())["run_id"] == "t1"
    n = pypsa.Network(str(d / "network.nc"))
    assert len(n.buses) == 31 and (n.generators.carrier == "ai-data-centre").sum() == 14
    sig = pd.read_parquet(d / "signals.parquet")
    assert list(sig.columns) == ["timestamp", "site", "curtailed_mw", "price_cny_per_mwh", "co2_avg_kg_per_mwh",
                                 "co2_marginal_kg_per_mwh"]
    assert sig.site.nunique() == 14 and (sig.curtailed_mw >= 0).all() and sig.notna().all().all()
    load = pd.read_parquet(d / "ai_load.parquet")
    assert set(load.scenario) == {"status-quo", "west-static", "grid-responsive", "co-optimised"}
    assert not any(p.name.startswith(".") for p in runs.iterdir())  # no temporary folder left


def _plotly_figures(html: str) -> list[tuple[list, dict]]:
    """(data, layout) of every ``Plotly.newPlot("id", data, layout, ...)`` call in a report."""
    dec, out, at = json.JSONDecoder(), [], 0
    while (at := html.find("Plotly.newPlot(", at)) >= 0:
        at = html.index(",", at) + 1
        data, end = dec.raw_decode(html, at + len(html[at:]) - len(html[at:].lstrip()))
        at = end + 1
        layout, end = dec.raw_decode(html, at + len(html[at:]) - len(html[at:].lstrip()))
        out.append((data, layout))
    return out


def test_report_map_is_drawn_on_the_province_outlines(run):
    runs, s = run
    figs = _plotly_figures((runs / "t1" / "report.html").read_text(encoding="utf-8"))
    maps = [(d, lay) for d, lay in figs if any(t.get("name") == "province outlines" for t in d)]
    assert len(maps) == 1
    data, layout = maps[0]
    assert all(t["type"] == "scatter" for t in data) and "geo" not in layout  # no CDN base map
    outline = data[0]
    assert outline["name"] == "province outlines" and sum(v is None for v in outline["x"]) >= 31
    sites = data[1]
    built = s["scenarios"]["co-optimised"]["dc_capacity_by_site_mw"]
    assert len(sites["text"]) == 14 and all(f"{k}: {v:,.0f} MW" in sites["text"] for k, v in built.items())


def test_runs_list_and_compare(run, capsys):
    runs, _ = run
    with pytest.raises(SystemExit) as exc:
        main(["runs", "list", "--runs-dir", str(runs), "--json"])
    assert exc.value.code == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in listed["runs"]] == ["t1"]
    with pytest.raises(SystemExit) as exc:
        main(["runs", "compare", "t1", "t1", "--runs-dir", str(runs), "--json"])
    assert exc.value.code == 0
    cmp = json.loads(capsys.readouterr().out)
    assert cmp["scenarios"]["co-optimised"]["system_cost_cny_per_year"]["b_minus_a"] == 0
    with pytest.raises(SystemExit) as exc:
        main(["runs", "compare", "t1", "nope", "--runs-dir", str(runs)])
    assert exc.value.code == 2


@pytest.mark.parametrize("solver_options", [None, {"solver": "hipo", "run_crossover": "off"}],
                         ids=["simplex-chained", "hipo-one-task-per-case"])
def test_two_worker_processes_give_the_same_plan(solver_options):
    from computegrid.grid.solve import HIPO_TOLERANCES
    from computegrid.services.plan.pipeline import run_plan

    serial = run_plan(resolution="rep1", out_dir=None, figures=False, workers=1).summary
    # HiPO (no warm start) makes every case a task of its own; HiPO on the co-optimised problem
    # works on the daily copies of its horizon-wide variables
    parallel = run_plan(resolution="rep1", out_dir=None, figures=False, workers=2,
                        solver_options=solver_options).summary
    # HiPO stops at the plan's objective gap (HIPO_TOLERANCES), the simplex at a vertex
    rel = 1e-6 if solver_options is None else 2 * HIPO_TOLERANCES["optimality_tolerance"]
    for name in ("status-quo", "west-static", "grid-responsive", "co-optimised"):
        a, b = serial["scenarios"][name], parallel["scenarios"][name]
        assert b["system_cost_cny_per_year"] == pytest.approx(a["system_cost_cny_per_year"], rel=rel)
        assert b["dc_capacity_total_mw"] == pytest.approx(a["dc_capacity_total_mw"], rel=1e-4, abs=1e-3)
        assert b["solver_rel_gap"] <= (1e-9 if solver_options is None else HIPO_TOLERANCES["optimality_tolerance"])
    assert parallel["reference_no_ai"]["system_cost_cny_per_year"] == pytest.approx(
        serial["reference_no_ai"]["system_cost_cny_per_year"], rel=rel)


def _move(runs, *args):
    return subprocess.run([sys.executable, "-m", "computegrid", "plan", "move", "--run", "t1", "--runs-dir",
                           str(runs), *args], capture_output=True, text=True, timeout=600)


def test_plan_move_bad_input_exits_2(run):
    runs, _ = run
    proc = _move(runs, "--from", "bejing", "--to", "zhongwei", "--mw", "1")
    assert proc.returncode == 2 and "did you mean beijing" in proc.stderr
    assert _move(runs, "--from", "guian", "--to", "zhongwei", "--mw", "-5").returncode == 2
    too_much = _move(runs, "--from", "guian", "--to", "zhongwei", "--mw", "1e6")
    assert too_much.returncode == 2 and "--mw" in too_much.stderr


def test_plan_move_destination_needs_capacity_within_its_cap(run):
    """Moving load to a site adds IT capacity above its planned capacity, costed at its capex; past the
    site cap the move is refused with the room left."""
    from computegrid.services.plan.inputs import prepare
    from computegrid.services.plan.scenario import load_scenario

    runs, s = run
    caps = s["scenarios"]["co-optimised"]["dc_capacity_by_site_mw"]
    origin = max(caps, key=caps.get)
    sites = prepare(load_scenario(s["scenario"])).sites
    others = [x for x in sites.index if x != origin]
    small = min(others, key=lambda x: sites.capacity_max_mw[x])
    over = _move(runs, "--from", origin, "--to", small, "--mw", str(sites.capacity_max_mw[small] + 1))
    assert over.returncode == 2 and "site cap" in over.stderr and small in over.stderr, over.stderr
    dest = max(others, key=lambda x: sites.capacity_max_mw[x] - caps.get(x, 0.0))
    proc = _move(runs, "--from", origin, "--to", dest, "--mw", "50", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["destination_capacity_added_mw"] >= 0.0
    assert out["delta_dc_capex_cny_per_year"] == pytest.approx(
        out["destination_capacity_added_mw"] * sites.capex_cny_per_mw_per_year[dest])
    assert out["delta_total_cost_cny_per_year"] == pytest.approx(
        out["delta_cost_cny_per_year"] + out["delta_dc_capex_cny_per_year"])


def test_plan_move_reports_average_and_marginal_effects(run):
    runs, s = run
    site = max(s["scenarios"]["co-optimised"]["dc_capacity_by_site_mw"].items(), key=lambda kv: kv[1])[0]
    zero = json.loads(_move(runs, "--from", site, "--to", "beijing", "--mw", "0", "--json").stdout)
    assert zero["delta_co2_average_t_per_year"] == 0.0
    assert abs(zero["delta_co2_marginal_t_per_year"]) < 1.0 and abs(zero["delta_cost_cny_per_year"]) < 1e3
    proc = _move(runs, "--from", site, "--to", "beijing", "--mw", "100", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"from", "to", "mw", "delta_cost_cny_per_year", "delta_co2_average_t_per_year",
            "delta_co2_marginal_t_per_year", "delta_curtailment_mwh_per_year", "method"} <= set(out)
    assert out["from"] == site and out["to"] == "beijing" and out["mw"] == 100.0
    # the dispatch answers the move, and by no more than the moved energy (100 MW x PUE <= 1.3 x 8,760 h)
    # at the dirtiest unit's factor (coal, grid/parameters.py) in either accounting
    bound = 100 * 1.3 * 8760 * 1.0
    assert 0 < abs(out["delta_co2_marginal_t_per_year"]) < bound
    assert abs(out["delta_co2_average_t_per_year"]) < bound
