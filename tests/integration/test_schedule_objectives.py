"""The scheduler's objectives on the Philly trace with signals from the grid model.

The signals come from the default base year's dispatch solved 6-hourly (about 30 CPU-seconds instead of
the default 3h's minutes): the same code path as the default signals (the validated base-year network,
marginal factor from the optimal basis, average factor by flow tracing), only coarser in time. Daily
(24h) means hide the 2024 base year's curtailment: the sites' provinces then curtail nothing.
"""

import pytest

from computegrid.scheduling.problem import ScheduleParams
from computegrid.services.schedule.scheduler import compare_policies, load_trace, resolve_sites


@pytest.fixture(scope="module")
def instance():
    from computegrid.grid.signals import province_signals
    from computegrid.services.signals.grid_signals import DEFAULT_GRID_YEAR, site_signals_from_provinces

    jobs = load_trace("philly").window(20_000, 5_000)  # 5,000 consecutive jobs: seconds per policy
    sites = resolve_sites(jobs)
    signals = site_signals_from_provinces(province_signals(DEFAULT_GRID_YEAR, "6h", threads=1), sites)
    return jobs, sites, signals


# the smallest saving that is not a tie: on the 2024 signals coal is at the margin in most hours at
# every site, so the marginal saving is smaller (measured 8.5 % on this window at 6h; the average 62 %)
@pytest.mark.parametrize("objective, field, at_most", [("co2-average", "emissions_average_tco2", 0.9),
                                                       ("co2-marginal", "emissions_marginal_tco2", 0.95)])
def test_carbon_objective_does_not_raise_its_own_emissions_over_fifo_local(instance, objective, field, at_most):
    jobs, sites, signals = instance
    res = compare_policies(jobs, sites, signals, ["fifo-local", "greedy"],
                           ScheduleParams(objective=objective))
    fifo, greedy = res["policies"]["fifo-local"], res["policies"]["greedy"]
    assert greedy["objective"] == objective and greedy["objective_unit"] == "tCO2"
    assert greedy["deadline_misses"] == 0 and greedy["capacity_violations"] == 0
    assert greedy[field] <= fifo[field]
    # and it is a real saving, not a tie: the sites' factors differ
    assert greedy[field] < at_most * fifo[field], (greedy[field], fifo[field])


def test_greedy_absorbs_more_curtailment_than_fifo_local_on_the_default_base_year(instance):
    jobs, sites, signals = instance
    res = compare_policies(jobs, sites, signals, ["fifo-local", "greedy"], ScheduleParams())
    fifo, greedy = res["policies"]["fifo-local"], res["policies"]["greedy"]
    assert greedy["curtailment_absorbed_mwh"] > fifo["curtailment_absorbed_mwh"]
    for p in (fifo, greedy):  # both emission figures, always
        assert p["emissions_marginal_tco2"] > 0 and p["emissions_average_tco2"] > 0
