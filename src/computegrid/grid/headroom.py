"""Supply-side headroom on the grid model: the largest constant new load per province that the base-year
fleet serves with at most a given share of that load's energy curtailed.

The peak-load proxy of Norris et al. (2025; ``computegrid.demand.headroom``) asks whether the augmented
load stays under the highest seasonal peak already served. Here the question goes to the dispatch model
instead, so that what the fleet can actually deliver decides: spare coal, gas and hydro capacity, wind
and solar that would otherwise be curtailed, imports over the corridors up to their capacity, storage
shifting energy into the tight hours, and must-run plants that are on anyway.

Formulation (one linear programme per province ``p`` and limit ``f``), on the network of
:func:`computegrid.grid.network.build_network`:

- new load ``x_t`` at bus ``p``, a PyPSA generator ``"<p> new-load"`` with ``p_t = -x_t`` in
  ``[-dL, 0]`` and extendable ``p_nom = dL`` [MW]; every other province's new load is held at 0;
- served energy ``sum_t w_t x_t >= (1 - f) x H x dL`` (``w_t`` hours per snapshot, ``H = sum_t w_t``):
  the new load is curtailed by at most ``f`` of its potential energy, in the hours the model chooses;
- no load shedding of the existing load (the base-year network must serve its load; the solve fails
  with :class:`computegrid.grid.solve.SolveError` otherwise);
- objective: maximise ``dL``; generation costs do not enter (the question is feasibility, not cost).

The LP is built once with a new-load column and a served-energy row for every province; each solve
changes only the bounds and cost of the ``dL`` columns and one coefficient, and HiGHS re-solves from the
previous basis (dual simplex warm start). This is the only module that talks to highspy directly.
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


@dataclass(frozen=True)
class GridHeadroom:
    """Result of one province at one limit.

    Attributes
    ----------
    headroom_mw : float
        Largest constant new load served with at most the limit curtailed. [MW]
    served_mw : numpy.ndarray
        Power served to the new load in each snapshot at that ``dL``. [MW]
    runtime_s : float
        Wall time of the solve. [s]
    """

    headroom_mw: float
    served_mw: np.ndarray
    runtime_s: float


class HeadroomModel:
    """The LP of the module docstring, built once, solved per province and limit.

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
    """

    def __init__(self, n, threads: int = 2, rules=None) -> None:
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
        with quiet_stdout(True):  # highspy prints its banner on stdout when the solver object is made
            self._highs = _highspy(m, threads)
        mat = m.matrices
        vlabels, clabels = mat.vlabels, mat.clabels
        self._col_dl = np.searchsorted(vlabels, p_nom.labels.values.ravel())
        self._col_p = np.searchsorted(vlabels, p.labels.transpose("snapshot", "name").values)
        self._row_served = np.searchsorted(clabels, m.constraints[SERVED_CONSTRAINT].labels.values.ravel())
        n_cols = len(vlabels)
        self._highs.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), np.zeros(n_cols))
        self._set_dl_bounds(None)
        self.build_s = time.perf_counter() - start

    @classmethod
    def for_year(cls, year: int, resolution: str, params: GridParameters = DEFAULT_PARAMETERS,
                 threads: int = 2) -> HeadroomModel:
        """The model on China's network of ``year`` at ``resolution``, without load shedding.

        A base year (2020, 2024) is its validated network with its operating rules
        (:func:`computegrid.grid.base_year.base_year_network`; ``params`` is then that year's); any
        other year is its demand on the 2020 fleet with ``params``."""
        from computegrid.datasets.grid_base_year import BASE_YEARS
        from computegrid.grid.base_year import base_year_network

        start = time.perf_counter()
        if int(year) in BASE_YEARS:
            n, rules, _ = base_year_network(int(year), resolution, load_shedding=False)
            model = cls(n, threads, rules)
        else:
            model = cls(build_network(year, resolution, params=params, load_shedding=False), threads)
        model.build_s = time.perf_counter() - start  # network build included
        return model

    def _set_dl_bounds(self, bus_index: int | None) -> None:
        upper = np.zeros(len(self.buses))
        if bus_index is not None:
            upper[bus_index] = np.inf
        cols = self._col_dl.astype(np.int32)
        self._highs.changeColsBounds(len(cols), cols, np.zeros(len(cols)), upper)
        cost = np.zeros(len(cols))
        if bus_index is not None:
            cost[bus_index] = -1.0
        self._highs.changeColsCost(len(cols), cols, cost)

    def solve(self, bus: str, limit_frac: float) -> GridHeadroom:
        """Largest ``dL`` at ``bus`` with at most ``limit_frac`` of its energy curtailed.

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
        import highspy

        i = self.buses.index(bus)
        start = time.perf_counter()
        h = self._highs
        self._set_dl_bounds(i)
        for j, row in enumerate(self._row_served):
            coeff = -(1.0 - limit_frac) * self.hours_h if j == i else -self.hours_h
            h.changeCoeff(int(row), int(self._col_dl[j]), coeff)
        with quiet_stdout(True):
            reset_highs_threads()
            h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolveError(f"headroom LP for {bus} at limit {limit_frac}: {h.modelStatusToString(status)} "
                             "(the base-year network cannot serve its own load without shedding?)")
        x = np.asarray(h.getSolution().col_value)
        dl = float(x[self._col_dl[i]])
        served = -x[self._col_p[:, i]]
        return GridHeadroom(headroom_mw=dl, served_mw=served, runtime_s=time.perf_counter() - start)


def _highspy(m, threads: int):
    h = m.to_highspy()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(threads))
    return h
