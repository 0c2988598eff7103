"""Solve a PyPSA network with HiGHS behind one interface.

Shortage never makes the problem infeasible: :func:`solve_network` adds ``load-shedding`` generators at the
value of lost load to any bus that lacks one, so a system that cannot serve its demand shows unserved
energy in the results instead of a solver failure.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from computegrid.errors import ComputegridError
from computegrid.grid.network import add_load_shedding
from computegrid.grid.parameters import DEFAULT_PARAMETERS

#: HiGHS options. Measured on the 6-hourly base year (2 shared cores): dual simplex 56 s through an LP
#: file and 33 s through linopy's direct highspy interface (the default here), interior point without
#: crossover 140 s; the HiPO interior point is not compiled into the highspy wheel. So the default is
#: HiGHS' own choice (dual simplex); pass ``{"solver": "ipm"}`` to override.
DEFAULT_SOLVER_OPTIONS: dict = {}


@dataclass(frozen=True)
class SolveResult:
    """Outcome of one solve.

    Attributes
    ----------
    status : str
        ``"ok"`` or ``"warning"`` (linopy's status).
    termination_condition : str
        ``"optimal"``, ``"infeasible"``, ...
    objective_cny : float
        Total system cost over the modelled year (weighted). [CNY]
    runtime_s : float
        Wall time of building the LP and solving it. [s]
    """

    status: str
    termination_condition: str
    objective_cny: float
    runtime_s: float

    @property
    def optimal(self) -> bool:
        """True if the solver proved optimality."""
        return self.status == "ok" and self.termination_condition == "optimal"


@contextlib.contextmanager
def quiet_stdout(active: bool):
    """Silence the C-level stdout (HiGHS prints its banner before options apply); stdout of the CLI
    must stay one JSON object."""
    if not active:
        yield
        return
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured streams without a file descriptor
        yield
        return
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


#: PyPSA components whose operating limits are turned into variable bounds (see :func:`limits_as_bounds`).
#: Links keep their limit constraints: their duals are the corridors' shadow prices.
BOUND_COMPONENTS = ("Generator", "StorageUnit")


def limits_as_bounds(n, snapshots=None, components=BOUND_COMPONENTS) -> int:
    """Replace PyPSA's one-variable limit constraints of fixed-capacity components by variable bounds.

    PyPSA writes ``lower <= p <= upper`` of every non-extendable generator and storage unit as two
    constraints per snapshot (``Generator-fix-p-lower``/``-upper``, ``StorageUnit-fix-*``). In the
    hourly China model that is 5.6 million rows which the solver's presolve removes again, but
    which linopy has to build and hand over first: as bounds they cost no rows at all. The lower
    limit of extendable capacities (``*-ext-p_nom-lower``) becomes a bound too, so that no
    capacity variable is free (free variables push an interior-point solver to the slower
    augmented system); the upper limit stays a constraint, its dual is the value of a site cap.
    Duals of the limits moved are not used by computegrid. Constraints with more than one term
    (losses, maintenance) are left as they are.

    Usable as (or chained into) ``extra_functionality``.

    Returns
    -------
    int
        Number of constraint rows turned into bounds.
    """
    m = n.model
    moved = 0
    for name in list(m.constraints):
        comp, sep, rest = name.partition("-fix-")
        if not sep:  # the lower limit of an extendable capacity (p_nom >= p_nom_min)
            comp, sep, rest = name.partition("-ext-")
            if not rest.endswith("_nom-lower"):
                continue
        attr, _, side = rest.rpartition("-")
        if not sep or comp not in components or side not in ("lower", "upper"):
            continue
        con = m.constraints[name]
        if con.vars.sizes.get("_term", 1) != 1:
            continue
        var = m.variables[f"{comp}-{attr}"]
        clabels = con.labels.values.ravel()
        cvars = con.vars.isel(_term=0).transpose(*con.labels.dims).values.ravel()
        coeffs = con.coeffs.isel(_term=0).transpose(*con.labels.dims).values.ravel()
        rhs = con.rhs.transpose(*con.labels.dims).values.ravel()
        keep = (clabels >= 0) & (cvars >= 0)
        if not np.allclose(coeffs[keep], 1.0):
            continue
        vlabels = var.labels.values.ravel()
        order = np.argsort(vlabels)
        pos = order[np.searchsorted(vlabels[order], cvars[keep])]
        bound = "lower" if side == "lower" else "upper"
        values = getattr(var, bound).values.astype(float).ravel().copy()
        pick = np.maximum if bound == "lower" else np.minimum
        values[pos] = pick(values[pos], rhs[keep])
        new = xr.DataArray(values.reshape(var.labels.shape), coords=var.labels.coords, dims=var.labels.dims)
        if hasattr(var, "update"):  # linopy >= 0.10; the bound setters are deprecated there
            var.update(**{bound: new})
        else:
            setattr(var, bound, new)
        moved += int(keep.sum())
        m.remove_constraints(name)
    return moved


#: HiGHS presolve rules to switch off when a model has chained block copies (:func:`split_columns`):
#: doubleton equations (bit 9) and the aggregator (bit 12) substitute the copies back into one
#: dense column. Measured on the 6-hourly co-planning problem (docs/planning.md): with either
#: rule on, HiPO falls back to the augmented system.
SPLIT_PRESOLVE_RULES_OFF = (1 << 9) | (1 << 12)
#: HiGHS tolerances for every HiPO (interior point, no crossover) solve of `computegrid plan`
#: (``services/plan.py``) and for the co-planning model with block copies. The objective gap and
#: the primal tolerances are PyPSA-Eur's ``highs-default`` solver options (ipm_optimality_tolerance
#: 1e-4, primal feasibility 1e-5; pypsa-eur config/config.default.yaml): relative objective error at
#: most 1e-4, 0.26 bn CNY/yr of 2,550. HiGHS checks HiPO's point against these and accepts it only
#: if no measure exceeds 100 times its tolerance, else restarts with IPX, which takes far longer than
#: the solve. An interior point is not a vertex: variables strictly inside their bounds keep small
#: reduced costs, which that check counts as dual infeasibilities, relative to the largest cost
#: (1.9e3) for the cost-free daily copies. At 6h they were 0.13 at a gap of 1.9e-5, so the point
#: was rejected with any dual tolerance below 1.3e-3 (docs/planning.md). The dual feasibility
#: tolerance is therefore 1e-2 (assumption): the duals' accuracy is bounded by the objective gap.
HIPO_TOLERANCES = {
    "ipm_optimality_tolerance": 1e-4,
    "optimality_tolerance": 1e-4,
    "primal_feasibility_tolerance": 1e-5,
    "primal_residual_tolerance": 1e-5,
    "dual_residual_tolerance": 1e-5,
    "dual_feasibility_tolerance": 1e-2,
}


def hipo_options(solver_options: Mapping) -> dict:
    """``solver_options`` with :data:`HIPO_TOLERANCES` for every tolerance they do not set."""
    return {**HIPO_TOLERANCES, **solver_options}


def split_columns(m, variable: str, uses: dict, n_blocks: int) -> int:
    """Give a horizon-wide variable one copy per block of time in the constraints that use it.

    A variable that is fixed over the horizon but enters a constraint in every snapshot (the
    capacity of an extendable component, the mean IT load of an AI class at a site) is a dense
    column of the constraint matrix. An interior-point solver factorises ``A D A'``, in which such
    a column fills a dense block as large as the number of snapshots it touches; at hourly
    resolution HiGHS' HiPO then gives up the normal equations for the augmented system, several
    times slower and larger. Here the variable ``x`` gets copies ``x[0], ..., x[B-1]`` chained in
    time, ``x[0] = x`` and ``x[b] = x[b-1]`` (named ``split-<variable>``, a prefix PyPSA does not map
    onto its components), and each row of the constraints in ``uses`` refers
    to its block's copy. The problem and its optimum are unchanged; ``A D A'`` stays banded in
    time. The chain survives HiGHS' presolve only with :data:`SPLIT_PRESOLVE_RULES_OFF`.

    Parameters
    ----------
    m : linopy.Model
        The model, built.
    variable : str
        Name of a one-dimensional linopy variable.
    uses : dict
        Constraint name -> (dimension name, block number of each coordinate along it); missing
        constraints are skipped.
    n_blocks : int
        Number of blocks (copies).

    Returns
    -------
    int
        Number of coefficients moved to the copies (0 if there was nothing to split).
    """
    from linopy import Variable

    if variable not in m.variables or n_blocks < 2:
        return 0
    var = m.variables[variable]
    if var.labels.ndim != 1:
        return 0
    dim = var.labels.dims[0]
    vlabels = var.labels.values
    order = np.argsort(vlabels)
    copies = None
    moved = 0
    for cname, (row_dim, blocks) in uses.items():
        if cname not in m.constraints:
            continue
        con = m.constraints[cname]
        terms = con.vars
        arr = terms.values
        hit = np.isin(arr, vlabels) & (arr >= 0)
        if not hit.any():
            continue
        if copies is None:
            block = pd.RangeIndex(n_blocks, name="block")
            # same bounds as the variable, so they must be bounds by now (coplan.model_functionality);
            # free copies: 86 HiPO iterations at 6h instead of 61, and a stall at hourly resolution
            copies = m.add_variables(lower=var.lower.expand_dims(block=block).transpose("block", dim),
                                     upper=var.upper.expand_dims(block=block).transpose("block", dim),
                                     name=f"split-{variable}")
            copy_labels = copies.labels.transpose("block", dim).values
        axis = terms.dims.index(row_dim)
        shape = [1] * arr.ndim
        shape[axis] = arr.shape[axis]
        block_of = np.broadcast_to(np.asarray(blocks, dtype=int).reshape(shape), arr.shape)
        pos = order[np.searchsorted(vlabels[order], arr[hit])]
        new = terms.copy(data=arr.copy())
        new.values[hit] = copy_labels[block_of[hit], pos]
        bounds = xr.zeros_like(new, dtype=float)  # not read: update() takes the labels of the terms
        con.update(variables=Variable(xr.Dataset({"labels": new, "lower": bounds, "upper": bounds}), m, ""))
        moved += int(hit.sum())
    if copies is None:
        return 0
    m.add_constraints(copies.isel(block=0) - var == 0.0, name=f"split-{variable}-first")
    later = copies.isel(block=slice(1, None))
    earlier = copies.isel(block=slice(0, -1)).assign_coords(block=later.indexes["block"])
    m.add_constraints(later - earlier == 0.0, name=f"split-{variable}-chain")
    return moved


def day_blocks(snapshots) -> np.ndarray:
    """Block number of each snapshot, one block per calendar day in time order (a representative
    day is a day). [-]"""
    return pd.factorize(pd.DatetimeIndex(snapshots).normalize())[0]


def split_capacity_columns(m, snapshots, components=("Generator", "StorageUnit", "Link")) -> int:
    """Daily copies (:func:`split_columns`) of each component's extendable capacity ``<comp>-p_nom`` in
    its per-snapshot ``<comp>-ext-*`` limits. Returns the number of coefficients moved."""
    blocks = day_blocks(pd.DatetimeIndex(snapshots))
    n_blocks = int(blocks.max()) + 1 if len(blocks) else 0
    moved = 0
    for comp in components:
        uses = {name: ("snapshot", blocks) for name in m.constraints
                if name.startswith(f"{comp}-ext-") and "snapshot" in m.constraints[name].labels.dims}
        moved += split_columns(m, f"{comp}-p_nom", uses, n_blocks)
    return moved


def chain_functionality(*functions: Callable | None) -> Callable:
    """One ``extra_functionality(n, snapshots)`` that runs the given ones in order (None skipped)."""

    def extra_functionality(n, snapshots) -> None:
        for f in functions:
            if f is not None:
                f(n, snapshots)

    return extra_functionality


class SolveError(ComputegridError):
    """The solver did not reach an optimal solution."""


def solve_network(n: pypsa.Network, extra_functionality: Callable | None = None, *,
                  solver_options: dict | None = None, load_shedding: bool = True,
                  voll_cny_per_mwh: float = DEFAULT_PARAMETERS.voll_cny_per_mwh, threads: int | None = 2,
                  raise_on_failure: bool = True, quiet: bool = True, **optimize_kwargs) -> SolveResult:
    """Least-cost dispatch (and expansion of any extendable component) with HiGHS.

    Parameters
    ----------
    n : pypsa.Network
        Modified in place: results are written to ``n.*_t`` as usual.
    extra_functionality : callable, optional
        ``f(n, snapshots)`` adding constraints to ``n.model`` (linopy), as in ``pypsa.Network.optimize``.
    solver_options : dict, optional
        HiGHS options (default: HiGHS' choice, dual simplex).
    load_shedding : bool, default True
        Add ``load-shedding`` generators where absent.
    voll_cny_per_mwh : float
        Value of lost load for added shedding generators. [CNY/MWh]
    threads : int or None, default 2
        HiGHS threads (the target machine has two cores).
    raise_on_failure : bool, default True
        Raise :class:`SolveError` unless the solve is optimal.
    quiet : bool, default True
        Silence solver and PyPSA logging.
    **optimize_kwargs
        Passed to ``n.optimize``.

    Returns
    -------
    SolveResult
    """
    if load_shedding:
        add_load_shedding(n, voll_cny_per_mwh)
    options = dict(DEFAULT_SOLVER_OPTIONS)
    if threads:
        options["threads"] = threads
    if quiet:
        options["output_flag"] = False
    options.update(solver_options or {})
    loggers = [logging.getLogger(name) for name in ("pypsa", "linopy")]
    levels = [lg.level for lg in loggers]
    if quiet:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
    optimize_kwargs.setdefault("io_api", "direct")  # hand the model to highspy in memory, no LP file
    start = time.perf_counter()
    try:
        with quiet_stdout(quiet):
            status, condition = n.optimize(solver_name="highs", solver_options=options,
                                           extra_functionality=chain_functionality(extra_functionality,
                                                                                   limits_as_bounds),
                                           include_objective_constant=False, progress=False,
                                           **optimize_kwargs)
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)
    runtime = time.perf_counter() - start
    objective = float(n.objective) if getattr(n, "objective", None) is not None else float("nan")
    result = SolveResult(status=str(status), termination_condition=str(condition),
                         objective_cny=objective, runtime_s=runtime)
    if raise_on_failure and not result.optimal:
        raise SolveError(f"solver ended with status {status}, condition {condition}")
    return result
