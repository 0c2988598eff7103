"""Solves of a planning run: the solver choice per case, the shared base network, warm starts and
the worker processes. Every solve goes through :mod:`computegrid.grid.coplan_solve`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from computegrid.errors import ComputegridError, InputError
from computegrid.services.plan.inputs import SCENARIOS, PlanInputs, _spec
from computegrid.services.plan.scenario import ScenarioConfig


def _default_builder(config: ScenarioConfig, resolution: str):
    """The scenario's grid: with ``expand``, the unsolved expansion problem of its year
    (:func:`expansion_base`); else the solved expansion network of its year (``grid: expansion``, built
    on first use and cached) or the 2020 fleet; scaled by the scenario's ``fleet`` where it sets a value."""
    from computegrid.grid.fleet import FLEET_CARRIERS, scale_fleet

    if config.expand:
        if config.grid != "expansion":
            raise InputError("expand", True, "allowed: only with grid: expansion (the plan then solves "
                             "the grid's capacity expansion with each case's AI load)")
        n = expansion_base(config.year, resolution)
    elif config.grid == "expansion":
        n = expanded_grid(config.year, resolution)
    else:
        from computegrid.grid.network import build_network

        n = build_network(config.year, resolution=resolution)
    scale_fleet(n, config.fleet.model_dump(), FLEET_CARRIERS)
    return n


def expanded_grid(year: int, resolution: str):
    """The solved expansion network of ``year`` as a planning base: its CO2 price taken out of the marginal
    costs (the plan adds the scenario's own), its load-shedding units removed (the plan adds its own), and
    the units the dispatch cannot tell apart merged (:func:`~computegrid.services.plan.aggregation.merge_equivalent_units`:
    new wind and solar into the existing units of their province, a province's batteries of similar duration
    into one, empty units dropped; the counts are kept in ``n.meta["merged_units"]``)."""
    from computegrid.grid.capacity_expansion import strip_co2_price
    from computegrid.grid.carriers import LOAD_SHEDDING_CARRIER
    from computegrid.services.grid_model.grid_expansion import check_year, expanded_network
    from computegrid.services.plan.aggregation import merge_equivalent_units

    check_year(year, "year (with grid: expansion)")
    n = expanded_network(year, resolution).network
    strip_co2_price(n)
    n.remove("Generator", n.generators.index[n.generators.carrier == LOAD_SHEDDING_CARRIER])
    merge_equivalent_units(n)
    return n


def expansion_base(year: int, resolution: str):
    """The unsolved capacity-expansion problem of ``year`` as a planning base (``expand``): the one
    `computegrid grid build` solves (:func:`~computegrid.services.grid_model.grid_expansion.expansion_problem`:
    committed changes, extendable wind, solar, gas, coal, batteries and HVDC corridors), its CO2 price
    taken out of the marginal costs (the plan adds the scenario's own). Every case solves the expansion
    with its own AI load and the expansion's policy constraints (:func:`plan_chain`); the no-AI
    reference reproduces `grid build`'s optimum."""
    from computegrid.grid.capacity_expansion import strip_co2_price
    from computegrid.services.grid_model.grid_expansion import check_year, expansion_problem

    check_year(year, "year (with expand)")
    n = expansion_problem(year, resolution, plan_expansion_parameters())
    strip_co2_price(n)
    return n


def plan_expansion_parameters():
    """The expansion parameters of the plan's ``expand`` mode, for the problem (:func:`expansion_base`) and
    its policy constraints (:func:`plan_chain`) alike: those of `computegrid grid build`
    (:data:`~computegrid.grid.capacity_expansion.DEFAULT_EXPANSION`)."""
    from computegrid.grid.capacity_expansion import DEFAULT_EXPANSION

    return DEFAULT_EXPANSION


def plan_chain(inputs: PlanInputs):
    """The grid model's own constraints chained into every solve of the plan: with ``expand``, the
    expansion's policy constraints (non-fossil share, wind + solar floor, battery floor, wind build
    rate: :func:`~computegrid.grid.capacity_expansion.policy_constraints`) with
    :func:`plan_expansion_parameters`; else none."""
    if not inputs.config.expand:
        return None
    from computegrid.grid.capacity_expansion import policy_constraints

    return policy_constraints(plan_expansion_parameters())


#: Snapshots from which the co-optimised solve uses HiGHS' interior-point solver HiPO (without
#: crossover, on daily copies of its horizon-wide variables: grid/coplan.py) instead of dual simplex.
#: Measured on the default scenario (docs/planning.md): simplex is faster at 24h (365 snapshots: 4.5 s
#: against 19 s), HiPO at 6h (1,460 snapshots: 66 s against 236 s) and beyond, where the simplex needs
#: hundreds of thousands of degenerate iterations.
IPM_MIN_SNAPSHOTS = 1000
#: Snapshots from which the no-AI reference and the baselines (dispatch with fixed capacities) use
#: HiPO too, instead of the dual simplex warm-started from the reference's basis. Measured on the
#: default scenario (docs/planning.md), 2 threads: at 3h (2,920 snapshots) the simplex is faster
#: (reference 41 s, warm-started status-quo 35 s, against 52 s and 44 s), at 1h (8,760) HiPO (204 s
#: and 207 s against 325 s and 407 s); the threshold lies between the two measurements.
DISPATCH_IPM_MIN_SNAPSHOTS = 4000
#: Snapshots from which `run_plan` solves the four problems in two worker processes (one core each)
#: by default. Assumption, not a measured crossover: a spawned worker needs several seconds to start
#: and import PyPSA, about what all four rep12 solves take together (16 s), so small models stay serial.
PARALLEL_MIN_SNAPSHOTS = 1000


#: With ``expand`` (every case solves the capacity expansion), the snapshots from which every case uses
#: HiPO on daily copies of the capacities, as `grid build` does. Measured at rep12 (288 snapshots,
#: docs/planning.md): the dual simplex had not finished the no-AI expansion after 176 s of CPU; HiPO
#: solved all five cases in 556 s of CPU (about 110 s each); the threshold keeps hand-made test
#: networks on the simplex.
EXPAND_IPM_MIN_SNAPSHOTS = 100


def plan_hipo_choice() -> dict:
    """HiPO's Newton system and ordering for every HiPO solve of the plan, fixed to what its own choice picks
    for these LPs (normal equations, METIS: the expansion's
    :data:`~computegrid.grid.capacity_expansion.EXPANSION_SOLVER_OPTIONS`, one place for both). Left to
    choose, HiPO analyses the augmented system and both orderings before its first iteration. Measured on the
    6h plan with HiPO in every case (docs/planning.md, "Where the hourly plan's time goes"): "NE preferred" in
    all five solves; analyse 12.0-25.0 s -> 1.4-2.6 s per solve, the same five objective values to 11 digits.
    """
    from computegrid.grid.capacity_expansion import EXPANSION_SOLVER_OPTIONS

    return {k: EXPANSION_SOLVER_OPTIONS[k] for k in ("hipo_system", "hipo_ordering")}


def hipo_available() -> bool:
    """True if HiGHS' HiPO interior-point solver can run (it needs the ``highspy-extras`` package)."""
    import importlib.util

    return importlib.util.find_spec("highspy_extras") is not None


def uses_ipm(case: str, n_snapshots: int, expand: bool = False) -> bool:
    """True if ``case`` is solved with HiPO at this many snapshots (needs ``highspy-extras``); with
    ``expand`` (capacity expansion in every case) from :data:`EXPAND_IPM_MIN_SNAPSHOTS` on."""
    if expand:
        threshold = EXPAND_IPM_MIN_SNAPSHOTS
    else:
        threshold = IPM_MIN_SNAPSHOTS if case == "co-optimised" else DISPATCH_IPM_MIN_SNAPSHOTS
    return n_snapshots >= threshold and hipo_available()


def solver_options_for(case: str, n_snapshots: int, threads: int = 2, user: dict | None = None,
                       expand: bool = False) -> dict:
    """HiGHS options of one solve: HiPO on fine resolutions or with ``expand`` (:func:`uses_ipm`), else
    HiGHS' default (dual simplex); ``user`` options win."""
    from computegrid.grid.solve import hipo_options

    opts: dict = {"threads": threads}
    if uses_ipm(case, n_snapshots, expand):
        opts.update(solver="hipo", run_crossover="off")
    opts.update(user or {})
    if opts.get("solver") == "hipo":  # also when the user picks HiPO; user tolerances win
        opts = {**plan_hipo_choice(), **hipo_options(opts)}
    return opts


def warm_starts(solver_options: dict) -> bool:
    """True if a solve with these HiGHS options is a simplex one, which can start from a basis."""
    return solver_options.get("solver", "choose") in ("choose", "simplex")


def prepare_base(inputs: PlanInputs, base_network) -> None:
    """The scenario's carbon price, once, on the shared base network."""
    from computegrid.grid.coplan import apply_carbon_price

    apply_carbon_price(base_network, inputs.config.costs.carbon_price_cny_per_t)


def solve_case(inputs: PlanInputs, base_network, case: str, solver_options: dict | None = None,
               threads: int = 2, basis_dir: str | Path | None = None):
    """Solve one case (``"no-ai"`` or a scenario) on a copy of the prepared base network.

    The no-AI reference and the baselines share one problem structure (the sites' consumers fixed
    to zero or to the baseline's draw). With ``basis_dir``, the reference writes its optimal basis
    there and the baselines solved after it in the same folder start from it (dual simplex): a
    baseline only moves some load between buses, so it needs a fraction of a cold solve's
    iterations.

    Returns
    -------
    (pypsa.Network, CoplanResult or None)
        The solved network (its linopy model released) and, for scenarios, the AI results.
    """
    from computegrid.grid.coplan_solve import solve_coplan, solve_fixed, solve_plain

    n = base_network.copy()
    opts = solver_options_for(case, len(n.snapshots), threads, solver_options, expand=inputs.config.expand)
    chain = plan_chain(inputs)
    basis = Path(basis_dir) / "reference.bas" if (basis_dir is not None and warm_starts(opts)) else None
    if case == "no-ai":
        status, condition = solve_plain(n, inputs.config.costs.voll_cny_per_mwh, solver_options=opts,
                                        spec=_spec(inputs, "co-optimised", n), basis_out=basis, chain=chain)
        if status != "ok":
            raise ComputegridError(f"the no-AI reference of {inputs.config.name} did not solve ({condition})")
        return n, None
    spec = _spec(inputs, case, n)
    if case == "co-optimised":
        res = solve_coplan(n, spec, solver_options=opts, chain=chain)
    else:
        res = solve_fixed(n, spec, solver_options=opts, chain=chain,
                          basis_in=basis if (basis is not None and basis.exists()) else None)
    if not res.ok:
        raise ComputegridError(f"scenario {case}: the solver stopped ({res.condition})")
    return n, res


def solve_cases(inputs: PlanInputs, base_network, cases: tuple[str, ...], solver_options: dict | None,
                threads: int) -> dict:
    """Solve ``cases`` in turn on the prepared base network, the baselines warm-started from the
    reference (one basis folder for the sequence); each linopy model is freed before the next."""
    import gc

    out = {}
    with tempfile.TemporaryDirectory(prefix="computegrid-basis-") as basis_dir:
        for case in cases:
            out[case] = solve_case(inputs, base_network, case, solver_options, threads=threads,
                                   basis_dir=basis_dir)
            gc.collect()
    return out


def _end_with_parent() -> None:
    """Worker initialiser: on Linux, ask the kernel to stop this worker when the parent process ends
    (``PR_SET_PDEATHSIG``), so that a killed `computegrid plan` leaves no solve running on."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl in this libc: the worker just runs to its end
        pass


def _solve_cases_in_worker(inputs: PlanInputs, base_network, cases: tuple[str, ...],
                           solver_options: dict | None) -> dict:
    """Worker process: prepare the base network (the parent's, unpickled here: built once for all
    workers) and solve ``cases`` in turn (one thread)."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    prepare_base(inputs, base_network)
    return solve_cases(inputs, base_network, cases, solver_options, threads=1)


def split_cases(cases: tuple[str, ...], workers: int, chained: bool = True) -> list[tuple[str, ...]]:
    """Share the cases among workers.

    ``chained`` (the baselines warm-start from the reference's basis, so they must follow it in one
    process): the co-optimised solve (the longest) alone, the rest in turn. Otherwise every case is
    a task of its own, the co-optimised first, for a pool of ``workers`` processes to take in order.
    """
    if not chained:
        return [(c,) for c in sorted(cases, key=lambda c: c != "co-optimised")]
    heavy = [c for c in cases if c == "co-optimised"]
    light = [c for c in cases if c != "co-optimised"]
    groups: list[list[str]] = [[c] for c in heavy][:workers]
    while len(groups) < workers:
        groups.append([])
    rest = groups[len(heavy):] or groups
    for i, c in enumerate(light):
        rest[i % len(rest)].append(c)
    return [tuple(g) for g in groups if g]


def solve_all(inputs: PlanInputs, base_network, scenarios=SCENARIOS, solver_options=None, *,
              workers: int = 1) -> tuple[dict, dict]:
    """Solve the no-AI reference and each scenario on copies of ``base_network``.

    With ``workers > 1``, the cases run in that many worker processes, each using one solver thread
    and a copy of ``base_network`` passed to it (pickled: the network is built once, not once per
    task; with ``expand`` each build is the whole expansion problem); the problems are independent,
    so the results are the same as in turn.
    """
    cases = ("no-ai", *scenarios)
    networks, results = {}, {}
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # baselines on the dual simplex start from the reference's basis: one process for the three
        dispatch = solver_options_for("no-ai", len(base_network.snapshots), 1, solver_options,
                                      expand=inputs.config.expand)
        groups = split_cases(cases, workers, chained=warm_starts(dispatch))
        ctx = multiprocessing.get_context("spawn")  # no fork of a process holding solver threads
        # a fresh process per task: a worker that had solved one case kept its memory (6 GB at hourly
        # resolution) into the next
        with ProcessPoolExecutor(max_workers=min(workers, len(groups)), mp_context=ctx,
                                 initializer=_end_with_parent, max_tasks_per_child=1) as pool:
            futures = [pool.submit(_solve_cases_in_worker, inputs, base_network, g, solver_options) for g in groups]
            solved = {}
            for f in futures:
                solved.update(f.result())
    else:
        prepare_base(inputs, base_network)
        solved = solve_cases(inputs, base_network, cases, solver_options, threads=2)
    for case in cases:
        n, res = solved[case]
        networks[case] = n
        if res is not None:
            results[case] = res
    return networks, results
