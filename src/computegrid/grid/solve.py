"""Solve a PyPSA network with HiGHS behind one interface: :func:`optimize` is the only call of
``pypsa.Network.optimize`` and holds the HiGHS policy (:func:`highs_options`).

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


#: HiGHS presolve rules to switch off when a model has chained block copies
#: (:func:`computegrid.grid.block_copies.split_columns`):
#: doubleton equations (bit 9) and the aggregator (bit 12) substitute the copies back into one
#: dense column. Measured on the 6-hourly co-planning problem (docs/planning.md): with either
#: rule on, HiPO falls back to the augmented system.
SPLIT_PRESOLVE_RULES_OFF = (1 << 9) | (1 << 12)
#: HiGHS tolerances for every HiPO (interior point, no crossover) solve of `computegrid plan`
#: (``services/plan/pipeline.py``) and for the co-planning model with block copies. The objective gap and
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


def chain_functionality(*functions: Callable | None) -> Callable:
    """One ``extra_functionality(n, snapshots)`` that runs the given ones in order (None skipped)."""

    def extra_functionality(n, snapshots) -> None:
        for f in functions:
            if f is not None:
                f(n, snapshots)

    return extra_functionality


def model_functionality(extra_functionality: Callable | None) -> Callable:
    """The ``extra_functionality`` every solve runs: PyPSA's limit rows become bounds
    (:func:`limits_as_bounds`) *before* ``extra_functionality`` adds its constraints.

    In this order the daily copies of a capacity (:func:`~computegrid.grid.block_copies.split_columns`)
    inherit its lower bound.
    In the reverse order they were free columns (5,110 in the default planning scenario), which
    HiPO handles worse: at hourly resolution it stagnated short of the optimum (docs/planning.md).
    """
    return chain_functionality(limits_as_bounds, extra_functionality)


class SolveError(ComputegridError):
    """The solver did not reach an optimal solution."""


def highs_options(solver_options: Mapping | None = None, *, threads: int | None = 2, quiet: bool = True,
                  block_copies: bool = False) -> dict:
    """The HiGHS options of a solve (the HiGHS policy of computegrid, in one place).

    * HiGHS' own choice (dual simplex) unless the options name a solver (:data:`DEFAULT_SOLVER_OPTIONS`);
    * ``threads`` solver threads and, with ``quiet``, no solver output;
    * every HiPO solve gets :data:`HIPO_TOLERANCES` (:func:`hipo_options`);
    * a model with block copies (:mod:`computegrid.grid.block_copies`) gets :data:`SPLIT_PRESOLVE_RULES_OFF`;
    * the caller's ``solver_options`` win over all of these.
    """
    options = dict(DEFAULT_SOLVER_OPTIONS)
    if threads:
        options["threads"] = threads
    if quiet:
        options.update(output_flag=False, log_to_console=False)
    options.update(solver_options or {})
    if block_copies:
        options["presolve_rule_off"] = int(options.get("presolve_rule_off", 0)) | SPLIT_PRESOLVE_RULES_OFF
    if options.get("solver") == "hipo":
        options = hipo_options(options)
    return options


def reset_highs_threads() -> None:
    """Let the next HiGHS run start its thread pool with its own ``threads`` option.

    HiGHS keeps one global thread scheduler per process, sized by the first run; a later run that
    asks for another number of threads ends at once with model status "not set"
    (``Highs::resetGlobalScheduler`` is HiGHS' own remedy). computegrid solves with 1 or 2 threads
    in the same process (tests, scheduler bounds, range re-solves), so every run resets it first.
    Safe here: the package never runs two HiGHS solves at once in one process.
    """
    import highspy

    highspy.Highs.resetGlobalScheduler(True)


def optimize(n: pypsa.Network, extra_functionality: Callable | None = None, *,
             solver_options: Mapping | None = None, threads: int | None = 2, quiet: bool = True,
             block_copies: bool = False, **optimize_kwargs) -> tuple[str, str]:
    """Solve ``n`` with HiGHS: the only call of ``pypsa.Network.optimize`` in computegrid.

    PyPSA's one-variable limit rows become variable bounds before ``extra_functionality`` adds its
    constraints (:func:`model_functionality`: the order matters for HiPO).

    Parameters
    ----------
    n : pypsa.Network
        Modified in place: the solution is written to ``n`` as usual.
    extra_functionality : callable, optional
        ``f(n, snapshots)`` adding constraints to ``n.model`` (linopy).
    solver_options, threads, quiet, block_copies
        See :func:`highs_options`; ``quiet`` also silences PyPSA's and linopy's logging and the
        C-level stdout (HiGHS prints its banner before the options apply).
    **optimize_kwargs
        Passed to ``n.optimize`` (e.g. ``basis_fn``, ``warmstart_fn``).

    Returns
    -------
    (str, str)
        linopy's status and termination condition.
    """
    options = highs_options(solver_options, threads=threads, quiet=quiet, block_copies=block_copies)
    loggers = [logging.getLogger(name) for name in ("pypsa", "linopy")]
    levels = [lg.level for lg in loggers]
    if quiet:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
    optimize_kwargs.setdefault("io_api", "direct")  # hand the model to highspy in memory, no LP file
    reset_highs_threads()
    try:
        with quiet_stdout(not options.get("output_flag", True)):
            status, condition = n.optimize(solver_name="highs", solver_options=options,
                                           extra_functionality=model_functionality(extra_functionality),
                                           include_objective_constant=False, progress=False,
                                           **optimize_kwargs)
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)
    return str(status), str(condition)


def solve_network(n: pypsa.Network, extra_functionality: Callable | None = None, *,
                  solver_options: dict | None = None, load_shedding: bool = True,
                  voll_cny_per_mwh: float = DEFAULT_PARAMETERS.voll_cny_per_mwh, threads: int | None = 2,
                  raise_on_failure: bool = True, quiet: bool = True, **optimize_kwargs) -> SolveResult:
    """Least-cost dispatch (and expansion of any extendable component) with HiGHS (:func:`optimize`).

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
    start = time.perf_counter()
    status, condition = optimize(n, extra_functionality, solver_options=solver_options, threads=threads,
                                 quiet=quiet, **optimize_kwargs)
    runtime = time.perf_counter() - start
    objective = float(n.objective) if getattr(n, "objective", None) is not None else float("nan")
    result = SolveResult(status=status, termination_condition=condition, objective_cny=objective,
                         runtime_s=runtime)
    if raise_on_failure and not result.optimal:
        raise SolveError(f"solver ended with status {status}, condition {condition}")
    return result


def release_model(n) -> None:
    """Drop the linopy model of a solved network (the solution stays in ``n``): it holds most of the memory."""
    if getattr(n, "_model", None) is not None:
        del n.model
