"""The base-year dispatch as validated: one path for ``grid validate``, the scheduler's default signals and
the grid method of ``headroom``.

A base year (2020 or 2024, :data:`computegrid.datasets.grid_base_year.BASE_YEARS`) is the network of
:func:`computegrid.grid.network.build_network` with ``year = base_year`` (that year's fleet, corridors and
demand) and :func:`validated_parameters`, plus the operating rules: in both years the north-western UHV
DC corridors run on daily flat schedules (:func:`computegrid.grid.operations.daily_flat_schedules`) and
wind and solar of a province are curtailed in the same proportion
(:func:`computegrid.grid.operations.proportional_curtailment`), as validated against the official
curtailment rates (docs/grid-model.md); 2020 takes 2024's run-of-river share and captive-coal minimum
as well (:data:`RULES_FROM_2024`). Whoever needs the base year builds it here, so the three uses cannot
drift apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, replace

from computegrid.datasets.grid_base_year import check_base_year
from computegrid.grid.parameters import GridParameters, base_year_parameters

#: Fields of the 2024 parameters that the validated 2020 base year takes over (issue 14: 2020 solar
#: curtailment was 0.50 % against 2.0 % official with proportional curtailment alone): daily schedules of
#: the north-western UHV DC lines (in 2020 they too ran contracted schedules bundled with sending-end
#: thermal plants), half the hydro inflow as run-of-river, and captive coal at its own minimum
#: (``coal_captive_2020_mw.csv``: GEM's captive units in operation at end-2020). The values are 2024's,
#: none refitted to 2020 (grid/parameters.py gives their sources). Measured at 3h (docs/grid-model.md):
#: wind / solar curtailment 1.2 % / 0.50 % before, 2.3 % / 0.94 % with them (official 3.5 % / 2.0 %).
RULES_FROM_2024 = ("daily_scheduled_corridors", "hydro_run_of_river_frac", "captive_coal_min_pu")


def validated_parameters(year: int) -> GridParameters:
    """The parameters of a base year as validated (:func:`base_year_network`): 2024's own
    (:func:`~computegrid.grid.parameters.base_year_parameters`); 2020's with the 2024 values of
    :data:`RULES_FROM_2024`.

    ``build_network(2020)`` (planning and adequacy on the 2020 fleet) keeps the plain 2020 parameters.
    """
    params = base_year_parameters(check_base_year(year, "year"))
    if int(year) != 2020:
        return params
    rules = base_year_parameters(2024)
    return replace(params, **{name: getattr(rules, name) for name in RULES_FROM_2024})


def operating_rules(params: GridParameters) -> Callable | None:
    """The ``extra_functionality`` of a base year's operating rules (None: no rule)."""
    from computegrid.grid.operations import daily_flat_schedules, proportional_curtailment
    from computegrid.grid.solve import chain_functionality

    scheduled = params.daily_scheduled_corridors
    rules = [daily_flat_schedules(scheduled) if scheduled else None,
             proportional_curtailment if params.proportional_curtailment else None]
    if not any(rules):
        return None
    return chain_functionality(*rules)


def base_year_network(year: int, resolution: str = "3h", *, fleet=None, load_shedding: bool = True):
    """The validated base-year network and its operating rules, not solved.

    Parameters
    ----------
    year : {2020, 2024}
        Base year (fleet, corridors, demand and parameters of that year).
    resolution : str
        Time resolution (``"1h"``, ``"<N>h"``, ``"rep<K>"``).
    fleet : DataFrame, optional
        A fleet replacing the bundled one (:func:`computegrid.io.fleet_file.read_user_fleet`).
    load_shedding : bool, default True
        Add ``load-shedding`` generators at the value of lost load.

    Returns
    -------
    n : pypsa.Network
    rules : callable or None
        Pass as ``extra_functionality`` to :func:`computegrid.grid.solve.solve_network` (or call
        ``rules(n, n.snapshots)`` after creating the model yourself).
    params : GridParameters
        The base year's parameters.
    """
    from computegrid.grid.network import build_network

    year = check_base_year(year, "year")
    params = validated_parameters(year)
    n = build_network(year, resolution, base_year=year, fleet=fleet, params=params,
                      load_shedding=load_shedding)
    return n, operating_rules(params), params


def solve_base_year(year: int, resolution: str = "3h", *, fleet=None, threads: int | None = 2):
    """Build and solve the base-year dispatch (:func:`base_year_network`).

    Returns
    -------
    n : pypsa.Network
        Solved, its linopy model and HiGHS object attached (for the marginal emission factors).
    solved : computegrid.grid.solve.SolveResult
    """
    from computegrid.grid.solve import solve_network

    n, rules, _ = base_year_network(year, resolution, fleet=fleet)
    return n, solve_network(n, extra_functionality=rules, threads=threads)


def parameters_key(year: int) -> str:
    """Ten hex digits identifying a base year's parameters (part of cache names, so that a cache made
    with other parameters is never read)."""
    p = validated_parameters(year)
    return hashlib.sha1(str(sorted(asdict(p).items())).encode()).hexdigest()[:10]
