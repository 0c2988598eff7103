"""Supply-side headroom on the grid model: the largest constant new load per province that the base-year
fleet serves with at most a given share of that load's energy curtailed.

The peak-load proxy of Norris et al. (2025; ``computegrid.demand.headroom``) asks whether the augmented
load stays under the highest seasonal peak already served. Here the question goes to the dispatch model
instead, so that what the fleet can actually deliver decides: spare coal, gas and hydro capacity, wind
and solar that would otherwise be curtailed, imports over the corridors up to their capacity, storage
shifting energy into the tight hours, and must-run plants that are on anyway.

Formulation (two linear programmes per province ``p`` and limit ``f``, solved one after the other), on
the network of :func:`computegrid.grid.network.build_network`:

- new load ``x_t`` at bus ``p``, a PyPSA generator ``"<p> new-load"`` with ``p_t = -x_t`` in
  ``[-dL, 0]`` and extendable ``p_nom = dL`` [MW]; every other province's new load is held at 0;
- served energy ``sum_t w_t x_t >= (1 - f) x H x dL`` (``w_t`` hours per snapshot, ``H = sum_t w_t``):
  the new load is curtailed by at most ``f`` of its potential energy;
- no load shedding of the existing load (the base-year network must serve its load; the solve fails
  with :class:`computegrid.grid.solve.SolveError` otherwise);
- stage 1, the headroom: maximise ``dL`` (costs do not enter: the question is what the fleet can serve);
- stage 2, the dispatch at that headroom: ``dL`` fixed at the stage-1 value, minimise the network's own
  dispatch cost (every marginal cost of the model) plus ``c_curt x sum_t w_t (dL - x_t)``, a cost per MWh
  of curtailed new load. Curtailment is then the model's choice at a price: a MWh of new load goes
  unserved only where serving it is impossible or would cost the system more than ``c_curt``, and at
  most ``f`` of the energy is curtailed. The command prices it at the value of lost compute (the
  accelerators' hardware annuity per hour over PUE, 5,568 CNY/MWh for the packaged sites), above
  every fuel cost of the model, so curtailment goes only where serving is impossible.

At the headroom stage 2 cannot change how much is curtailed: stage 1 already serves the most the fleet
can deliver (were more servable, ``dL`` could grow), so the curtailed energy is exactly ``f H dL`` and
the cost term is a constant there. What stage 2 decides is everything stage 1 leaves free: which of the
equally feasible hours are curtailed (storage and hydro budgets can move the shortfall between
snapshots; it goes where serving would be dearest) and the dispatch of the rest of the system (stage 1
is indifferent between coal and gas, or between running a plant and spilling wind). Below the headroom
(:meth:`HeadroomModel.dispatch`) the cost also sets the amount: with ``c_curt`` under a peaker's cost the
model curtails the new load rather than start the peaker, up to the cap.

The LP is built once with a new-load column and a served-energy row for every province; each solve
changes only bounds, costs and one coefficient, and HiGHS re-solves from the previous basis (dual simplex
after a bound change, primal after a cost change). Like ``grid/marginal_emissions.py`` it drives highspy directly.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from computegrid.grid.network import build_network
from computegrid.grid.parameters import DEFAULT_PARAMETERS, GridParameters
from computegrid.grid.solve import SolveError, limits_as_bounds, quiet_stdout, reset_highs_threads

NEW_LOAD_CARRIER = "new-load"
SERVED_CONSTRAINT = "Generator-new-load-served"


#: Default cost of a MWh of curtailed new load [CNY/MWh]: the value of lost compute of the packaged data
#: centre sites, rounded to 1 CNY: ``datasets/data/grid/sites.csv`` has IT capex 250,000 CNY/kW, 5 years,
#: 7 % (annuity factor 0.07 / (1 - 1.07^-5) = 0.24389: 60,973 CNY/kW/yr), per hour of the year (8,760 h),
#: over the sites' median PUE 1.25: 5,568.28. It is what the plan's grid-responsive sites pay for
#: curtailment (``services/plan/inputs.py``, ``curtailment_cost_cny_per_mwh``). ``computegrid headroom``
#: does not use this constant: it passes the value computed from the sites
#: (``services/outlook/headroom.py``, ``curtailment_cost_cny_per_mwh``), which the grid layer cannot import;
#: the default serves direct uses of :class:`HeadroomModel` (tests on hand-made networks), and
#: tests/unit/test_headroom_base_year.py checks that the two agree within 1 CNY.
DEFAULT_CURTAILMENT_COST_CNY_PER_MWH = 5_568.0


@dataclass(frozen=True)
class GridHeadroom:
    """Result of one province at one limit (or at a given new load, :meth:`HeadroomModel.dispatch`).

    Attributes
    ----------
    headroom_mw : float
        Largest constant new load served with at most the limit curtailed (stage 1), or the given one. [MW]
    served_mw : numpy.ndarray
        Power served to the new load in each snapshot in the least-cost dispatch (stage 2). [MW]
    dispatch_cost_cny : float
        The network's dispatch cost over the period in that solution, curtailment not included. [CNY]
    runtime_s : float
        Wall time of the solves. [s]
    """

    headroom_mw: float
    served_mw: np.ndarray
    dispatch_cost_cny: float
    runtime_s: float


class HeadroomModel:
    """The two-stage LP of the module docstring, built once, solved per province and limit.

    Parameters
    ----------
    n : pypsa.Network
        A dispatch network (modified: a ``new-load`` generator is added at every bus); its load must be
        servable without load shedding.
    threads : int, default 2
        HiGHS threads.
    rules : callable, optional
        The network's operating rules, ``rules(n, snapshots)`` adding constraints to its linopy model
        (:func:`computegrid.grid.base_year.base_year_network`).
    curtailment_cost_cny_per_mwh : float, default :data:`DEFAULT_CURTAILMENT_COST_CNY_PER_MWH`
        Cost of a MWh of curtailed new load in stage 2. [CNY/MWh]
    """

    def __init__(self, n, threads: int = 2, rules=None,
                 curtailment_cost_cny_per_mwh: float = DEFAULT_CURTAILMENT_COST_CNY_PER_MWH) -> None:
        start = time.perf_counter()
        buses = list(n.buses.index)
        names = [f"{b} {NEW_LOAD_CARRIER}" for b in buses]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            n.add("Carrier", NEW_LOAD_CARRIER, co2_emissions=0.0)
            n.add("Generator", names, bus=buses, carrier=NEW_LOAD_CARRIER, p_nom_extendable=True,
                  p_min_pu=-1.0, p_max_pu=0.0, marginal_cost=0.0, capital_cost=0.0)
        with quiet_stdout(True), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            m = n.optimize.create_model(include_objective_constant=False)
            if rules is not None:
                rules(n, n.snapshots)
        limits_as_bounds(n)
        w = n.snapshot_weightings.generators.to_numpy(dtype=float)
        p = m.variables["Generator-p"].sel(name=names)
        p_nom = m.variables["Generator-p_nom"].sel(name=names)
        weights = xr.DataArray(w, coords={"snapshot": n.snapshots})
        # served energy minus (1 - f) H dL >= 0; the dL coefficient is set per limit before each solve
        m.add_constraints(-(p * weights).sum("snapshot") - p_nom >= 0.0, name=SERVED_CONSTRAINT)
        self.network, self.model = n, m
        self.buses, self.names = buses, names
        self.weights_h = w
        self.hours_h = float(w.sum())
        self.curtailment_cost_cny_per_mwh = float(curtailment_cost_cny_per_mwh)
        with quiet_stdout(True):  # highspy prints its banner on stdout when the solver object is made
            self._highs = _highspy(m, threads)
        mat = m.matrices
        vlabels, clabels = mat.vlabels, mat.clabels
        self._col_dl = np.searchsorted(vlabels, p_nom.labels.values.ravel())
        self._col_p = np.searchsorted(vlabels, p.labels.transpose("snapshot", "name").values)
        self._row_served = np.searchsorted(clabels, m.constraints[SERVED_CONSTRAINT].labels.values.ravel())
        self._n_cols = len(vlabels)
        self._dispatch_cost = np.asarray(self._highs.getLp().col_cost_, dtype=float).copy()
        self._dispatch_cost[self._col_dl] = 0.0
        self._dispatch_cost[self._col_p.ravel()] = 0.0
        self.build_s = time.perf_counter() - start

    @classmethod
    def for_year(cls, year: int, resolution: str, params: GridParameters = DEFAULT_PARAMETERS,
                 threads: int = 2,
                 curtailment_cost_cny_per_mwh: float = DEFAULT_CURTAILMENT_COST_CNY_PER_MWH) -> HeadroomModel:
        """The model on China's network of ``year`` at ``resolution``, without load shedding.

        A base year (2020, 2024) is its validated network with its operating rules
        (:func:`computegrid.grid.base_year.base_year_network`; ``params`` is then that year's); any
        other year is its demand on the 2020 fleet with ``params``."""
        from computegrid.datasets.grid_base_year import BASE_YEARS
        from computegrid.grid.base_year import base_year_network

        start = time.perf_counter()
        if int(year) in BASE_YEARS:
            n, rules, _ = base_year_network(int(year), resolution, load_shedding=False)
        else:
            n, rules = build_network(year, resolution, params=params, load_shedding=False), None
        model = cls(n, threads, rules, curtailment_cost_cny_per_mwh)
        model.build_s = time.perf_counter() - start  # network build included
        return model

    def _prepare(self, i: int, limit_frac: float, dl_mw: float | None) -> None:
        """Bounds, costs and served-row coefficients for bus ``i``: stage 1 (``dl_mw`` None: ``dL``
        free, maximised, no other cost) or stage 2 (``dL`` fixed at ``dl_mw``, least cost)."""
        n_bus = len(self.buses)
        cols = self._col_dl.astype(np.int32)
        lower, upper = np.zeros(n_bus), np.zeros(n_bus)
        upper[i] = np.inf if dl_mw is None else dl_mw
        lower[i] = 0.0 if dl_mw is None else dl_mw
        self._highs.changeColsBounds(n_bus, cols, lower, upper)
        if dl_mw is None:
            cost = np.zeros(self._n_cols)
            cost[self._col_dl[i]] = -1.0
        else:  # p = -x: a MWh served saves c_curt; with dL fixed the curtailment cost is H dL c_curt - that
            cost = self._dispatch_cost.copy()
            cost[self._col_p[:, i]] = self.curtailment_cost_cny_per_mwh * self.weights_h
        self._highs.changeColsCost(self._n_cols, np.arange(self._n_cols, dtype=np.int32), cost)
        for j, row in enumerate(self._row_served):
            coeff = -(1.0 - limit_frac) * self.hours_h if j == i else -self.hours_h
            self._highs.changeCoeff(int(row), int(self._col_dl[j]), coeff)

    def _run(self, what: str) -> np.ndarray:
        import highspy

        h = self._highs
        with quiet_stdout(True):
            reset_highs_threads()
            h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolveError(f"headroom LP ({what}): {h.modelStatusToString(status)} (the base-year network "
                             "cannot serve its own load without shedding, or the new load is above the headroom)")
        return np.asarray(h.getSolution().col_value)

    def solve(self, bus: str, limit_frac: float) -> GridHeadroom:
        """Largest ``dL`` at ``bus`` with at most ``limit_frac`` of its energy curtailed (stage 1), and
        the least-cost dispatch at that ``dL`` (stage 2).

        Parameters
        ----------
        bus : str
            Province code.
        limit_frac : float
            Curtailment limit in (0, 1). [-]

        Returns
        -------
        GridHeadroom
        """
        i = self.buses.index(bus)
        start = time.perf_counter()
        self._prepare(i, limit_frac, None)
        x = self._run(f"{bus} at limit {limit_frac}, largest load")
        return self._least_cost(i, float(x[self._col_dl[i]]), limit_frac, start)

    def dispatch(self, bus: str, dl_mw: float, limit_frac: float) -> GridHeadroom:
        """Least-cost dispatch with a constant new load ``dl_mw`` at ``bus`` (stage 2 alone): its
        curtailment costs ``curtailment_cost_cny_per_mwh`` and is at most ``limit_frac`` of its energy.

        Parameters
        ----------
        bus : str
            Province code.
        dl_mw : float
            New load, at most the headroom at ``limit_frac`` (:class:`SolveError` above it). [MW]
        limit_frac : float
            Curtailment limit in [0, 1). [-]

        Returns
        -------
        GridHeadroom
        """
        return self._least_cost(self.buses.index(bus), float(dl_mw), limit_frac, time.perf_counter())

    def _least_cost(self, i: int, dl_mw: float, limit_frac: float, start: float) -> GridHeadroom:
        self._prepare(i, limit_frac, dl_mw)
        x = self._run(f"{self.buses[i]} at limit {limit_frac}, least cost at {dl_mw:.6g} MW")
        return GridHeadroom(headroom_mw=dl_mw, served_mw=-x[self._col_p[:, i]],
                            dispatch_cost_cny=float(self._dispatch_cost @ x),
                            runtime_s=time.perf_counter() - start)


def _highspy(m, threads: int):
    h = m.to_highspy()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(threads))
    return h
