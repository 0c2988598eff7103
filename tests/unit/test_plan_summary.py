"""The typed plan summary is the one definition of the headline figures, their labels and units."""

import dataclasses

import pytest

from computegrid.services.plan.summary import HEADLINE_FIGURES, ReferenceSummary, ScenarioSummary

#: summary.json keys of one scenario, as the API, the dashboard and `runs compare` read them.
SCENARIO_KEYS = [
    "system_cost_cny_per_year", "emissions_mt_co2_per_year", "curtailment_twh_per_year",
    "curtailment_no_ai_twh_per_year", "curtailment_absorbed_twh_per_year", "ai_energy_twh_per_year",
    "ai_it_energy_twh_per_year", "ai_energy_by_site_twh_per_year", "ai_energy_by_class_twh_per_year",
    "ai_energy_by_site_and_class_twh_per_year", "ai_energy_west_frac", "ai_energy_from_curtailment_frac",
    "unserved_energy_twh_per_year", "unserved_grid_energy_twh_per_year", "unserved_ai_it_energy_twh_per_year",
    "latency_compliance_frac", "solver_rel_gap", "dc_capacity_by_site_mw", "dc_capacity_total_mw",
    "dc_capex_cny_per_year", "peak_net_load_east_mw", "peak_net_load_east_no_ai_mw",
    "marginal_price_at_sites_cny_per_mwh", "mean_price_at_sites_cny_per_mwh",
    "curtailment_no_ai_frac", "ai_curtailed_energy_twh_per_year", "cost_breakdown_cny_per_year",
    "grid_value_vs_status_quo_cny_per_year", "dc_capex_saving_vs_status_quo_cny_per_year",
    "ai_it_energy_by_site_twh_per_year", "grid_value_pue_cny_per_year", "grid_value_unserved_cny_per_year",
    "grid_value_siting_timing_cny_per_year", "grid_capacity_built_mw",
]


def test_summary_keys_are_the_dataclass_fields():
    assert [f.name for f in dataclasses.fields(ScenarioSummary)] == SCENARIO_KEYS
    assert [f.name for f in dataclasses.fields(ReferenceSummary)] == [
        "system_cost_cny_per_year", "curtailment_twh_per_year", "emissions_mt_co2_per_year",
        "unserved_energy_twh_per_year", "peak_net_load_east_mw", "curtailment_frac",
        "cost_breakdown_cny_per_year", "grid_capacity_built_mw"]
    assert {fig.key for fig in HEADLINE_FIGURES} <= set(SCENARIO_KEYS)


def test_cli_table_labels_are_the_headline_figures(monkeypatch):
    from computegrid.cli import plan as cli_plan

    printed = {}
    monkeypatch.setattr(cli_plan, "print_table",
                        lambda title, columns, rows, console=None: printed.setdefault(title, rows))
    scen = {k: 2.0 for k in SCENARIO_KEYS} | {"dc_capacity_by_site_mw": {"a": 1.0}}
    cli_plan.print_summary({"scenarios": {"status-quo": scen, "co-optimised": scen}, "scenario_name": "x",
                            "resolution": "rep12", "runtime_s": 1.0, "explain": {"text": []}})
    from rich.markup import escape

    rows = next(iter(printed.values()))
    assert [r[0] for r in rows] == [escape(label) for label in [
        "grid-side value vs status-quo [bn CNY/yr]", "  of which: lower PUE [bn CNY/yr]",
        "  of which: less unserved work [bn CNY/yr]", "  of which: siting and timing [bn CNY/yr]",
        "data-centre capex saved vs status-quo (utilisation) [bn CNY/yr]", "system cost [bn CNY/yr]", "CO2 [Mt/yr]", "wind+solar curtailment [TWh/yr]", "  without AI load [TWh/yr]",
        "  without AI load, share of available [-]",
        "AI facility energy [TWh/yr]", "AI energy at western clusters [-]",
        "AI energy from otherwise-curtailed power [-]", "IT capacity built [GW]",
        "peak net load, eastern provinces [GW]", "unserved energy [TWh/yr]", "latency compliance [-]"]]
    assert rows[5][1:] == [2e-9, 2e-9]  # CNY -> bn CNY
    assert rows[13][1:] == [2e-3, 2e-3]  # MW -> GW


def test_grid_value_parts_add_up_and_price_the_pue_difference():
    """Hand case: status-quo runs 10 TWh of IT at PUE 1.3 (13 TWh), the case runs it at PUE 1.2 at a
    site paying 300 CNY/MWh, where status-quo (which draws nothing there) has a mean price of 250: the PUE
    part, at status-quo's prices, is 10e6 MWh x 0.1 x 250 = 250 M CNY/yr; the case has 50 M CNY/yr less
    unserved cost; the rest of its 1,000 M CNY/yr grid-side value is siting and timing."""
    from computegrid.services.plan.summary import add_status_quo_differences

    keys = ("it_capex", "facility_capex", "generation_capex", "storage_capex", "transmission_capex", "fuel",
            "carbon", "unserved")
    sq = {"cost_breakdown_cny_per_year": dict.fromkeys(keys, 0.0) | {"fuel": 2.0e9, "unserved": 0.1e9},
          "ai_energy_twh_per_year": 13.0, "ai_it_energy_twh_per_year": 10.0,
          "ai_it_energy_by_site_twh_per_year": {"east": 10.0}, "ai_energy_by_site_twh_per_year": {"east": 13.0},
          "marginal_price_at_sites_cny_per_mwh": {"east": 400.0, "west": None},
          "mean_price_at_sites_cny_per_mwh": {"east": 380.0, "west": 250.0}}
    case = {"cost_breakdown_cny_per_year": dict.fromkeys(keys, 0.0) | {"fuel": 1.05e9, "unserved": 0.05e9},
            "ai_energy_twh_per_year": 12.0, "ai_it_energy_twh_per_year": 10.0,
            "ai_it_energy_by_site_twh_per_year": {"west": 10.0}, "ai_energy_by_site_twh_per_year": {"west": 12.0},
            "marginal_price_at_sites_cny_per_mwh": {"west": 300.0}}
    scen = {"status-quo": sq, "co-optimised": case}
    add_status_quo_differences(scen)
    assert case["grid_value_vs_status_quo_cny_per_year"] == pytest.approx(1.0e9)
    assert case["grid_value_pue_cny_per_year"] == pytest.approx(250e6)
    assert case["grid_value_unserved_cny_per_year"] == pytest.approx(50e6)
    assert case["grid_value_siting_timing_cny_per_year"] == pytest.approx(700e6)
    assert sq["grid_value_pue_cny_per_year"] == pytest.approx(0.0)


def test_report_compare_and_api_take_the_same_figures():
    from computegrid.api.schemas import PlanFigure
    from computegrid.report.plan_report import _table_html
    from computegrid.services.runs.compare import COMPARED

    assert COMPARED == tuple(f.key for f in HEADLINE_FIGURES if f.compared)
    scen = {k: 3.0 for k in SCENARIO_KEYS}
    table = _table_html({"scenarios": {"co-optimised": scen}}, HEADLINE_FIGURES)
    for fig in HEADLINE_FIGURES:
        assert f"<td>{fig.title}</td>" in table
    assert PlanFigure(key="k", title="t", unit="u", scale=1.0).title == "t"


def test_api_plan_run_carries_the_headline_figures(tmp_path):
    from datetime import datetime, timezone

    from computegrid.api.routers.plans import _to_schema
    from computegrid.services.runs.store import RunRecord

    run = RunRecord(id="0" * 32, kind="plan", status="queued", params={}, summary=None, error=None,
                    created_at=datetime.now(timezone.utc), started_at=None, finished_at=None, attempts=0)
    out = _to_schema(run, tmp_path).model_dump()
    assert [(f["key"], f["title"], f["scale"]) for f in out["figures"]] == [
        (fig.key, fig.title, fig.scale) for fig in HEADLINE_FIGURES]
