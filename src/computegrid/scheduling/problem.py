"""A scheduling instance in hour slots: jobs, sites, signals and the objective's weights.

Time is counted in hours from slot 0, the hour in which the first job is submitted. Slot
``k`` is ``[k, k+1)``. A job occupies, for accelerator counting, every slot its run touches
(a conservative count: no site ever holds more accelerators than it has, at any instant).
Its energy falls into those slots in proportion to the time it runs in each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from computegrid.errors import InputError
from computegrid.scheduling.jobs import JobTable
from computegrid.scheduling.signals import SiteSignals, aligned_index
from computegrid.scheduling.sites import SiteTable, origin_latency_ms

#: DGX H100: 10.2 kW system maximum for 8 GPUs (NVIDIA DGX H100 datasheet) [secondary] -> 1.275 kW per
#: accelerator with its share of the host; assumption: jobs run their accelerators at full load.
POWER_PER_ACCELERATOR_KW = 10.2 / 8

#: assumption: 100 CNY/tCO2, close to the 2024 allowance price of China's national carbon
#: market (about 90-105 CNY/t over 2024) [secondary]; a parameter of the objective.
CARBON_PRICE_CNY_PER_TCO2 = 100.0

#: assumption: a small cost of waiting, 0.01 CNY per accelerator-hour of delay (about 1% of
#: the energy cost of an accelerator-hour at 500 CNY/MWh), so that among equally good slots
#: the earliest wins.
DELAY_COST_CNY_PER_ACCELERATOR_H = 0.01

#: Hours of signal history before slot 0 kept for online forecasts. [h]
HISTORY_H = 24

#: What the policies minimise (``--objective``) and the unit of its value.
OBJECTIVE_UNITS = {"cost": "CNY", "co2-marginal": "tCO2", "co2-average": "tCO2", "curtailment": "MWh"}
OBJECTIVES = tuple(OBJECTIVE_UNITS)

#: Tie-breaking cost of waiting under the non-cost objectives, per accelerator-hour of delay, in
#: the objective's unit. assumption: about 1% of what an accelerator-hour weighs, as for the cost
#: objective: 1.275 kW x PUE 1.3 = 1.66 kWh, so 1.7e-5 MWh of grid energy, or 1.4e-5 tCO2 at
#: 0.85 t/MWh (coal): 1e-5 in both units.
DELAY_TIEBREAK_PER_ACCELERATOR_H = {"co2-marginal": 1e-5, "co2-average": 1e-5, "curtailment": 1e-5}


@dataclass(frozen=True)
class ScheduleParams:
    """Parameters of the objective and of the online mode.

    Parameters
    ----------
    power_per_accelerator_kw : float
        IT power per busy accelerator, host share included. [kW]
    carbon_price_cny_per_tco2 : float
        Price put on marginal emissions in the cost objective. [CNY/tCO2]
    delay_cost_cny_per_accelerator_h : float
        Cost of waiting per accelerator and hour in the cost objective. [CNY/h]
    objective : str
        What the policies minimise: ``cost`` (price plus carbon price x marginal intensity),
        ``co2-marginal`` (emissions at the marginal factor), ``co2-average`` (at the average
        factor) or ``curtailment`` (grid energy, i.e. use as much otherwise-curtailed power as
        possible). Energy from curtailed power is free and carbon-free under every objective.
    online : bool
        Policies see only a forecast built from past signals (see ``forecast``).
    forecast_error_frac : float
        Relative standard deviation of the noise added to the online forecast. [-]
    seed : int
        Seed of the forecast noise.
    """

    power_per_accelerator_kw: float = POWER_PER_ACCELERATOR_KW
    carbon_price_cny_per_tco2: float = CARBON_PRICE_CNY_PER_TCO2
    delay_cost_cny_per_accelerator_h: float = DELAY_COST_CNY_PER_ACCELERATOR_H
    objective: str = "cost"
    online: bool = False
    forecast_error_frac: float = 0.1
    seed: int = 0

    def __post_init__(self):
        if self.objective not in OBJECTIVE_UNITS:
            raise InputError("--objective", self.objective, "one of " + ", ".join(OBJECTIVES))
        for name in ("power_per_accelerator_kw",):
            if not getattr(self, name) > 0:
                raise InputError(name, getattr(self, name), "a value > 0")
        for name in ("carbon_price_cny_per_tco2", "delay_cost_cny_per_accelerator_h",
                     "forecast_error_frac"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise InputError(name, v, "a finite value >= 0")


@dataclass
class Problem:
    """Arrays of one instance (build with :func:`build_problem`).

    Job arrays have one entry per job, site arrays one per site; signal arrays are
    ``sites x (HISTORY_H + n_slots)`` with column ``HISTORY_H + k`` for slot ``k``.
    """

    jobs: JobTable | None               # None: built from arrays (one placement)
    sites: SiteTable
    signals: SiteSignals
    params: ScheduleParams
    start: pd.Timestamp                 # UTC start of slot 0
    submit_h: np.ndarray                # [h] from slot 0
    duration_h: np.ndarray              # [h]
    deadline_h: np.ndarray              # [h] from slot 0
    n_acc: np.ndarray                   # [-]
    latency_ms: np.ndarray              # jobs x sites [ms]
    limit_ms: np.ndarray                # jobs [ms]
    allowed: np.ndarray                 # jobs x sites, within the class's latency limit
    nearest: np.ndarray                 # jobs, site with the lowest latency
    capacity: np.ndarray                # sites [-]
    mwh_per_acc_h: np.ndarray           # sites: facility energy per accelerator-hour [MWh]
    n_slots: int
    curt_mwh: np.ndarray = field(repr=False)      # curtailed energy per slot [MWh]
    price: np.ndarray = field(repr=False)         # [CNY/MWh]
    co2_avg: np.ndarray = field(repr=False)       # [kg/MWh]
    co2_marg: np.ndarray = field(repr=False)      # [kg/MWh]
    weight: np.ndarray = field(repr=False)        # objective per grid MWh [objective unit/MWh]

    @property
    def n_jobs(self) -> int:
        return len(self.submit_h)

    @property
    def n_sites(self) -> int:
        return len(self.capacity)

    @property
    def delay_weight(self) -> float:
        """Cost of one accelerator-hour of delay in the objective's unit."""
        if self.params.objective == "cost":
            return float(self.params.delay_cost_cny_per_accelerator_h)
        return DELAY_TIEBREAK_PER_ACCELERATOR_H[self.params.objective]

    def extend(self, n_slots: int) -> None:
        """Make the signal arrays cover ``n_slots`` slots (for jobs pushed past the horizon)."""
        if n_slots <= self.n_slots:
            return
        self.n_slots = int(n_slots)
        self._fill_signals()

    def _fill_signals(self) -> None:
        cols = aligned_index(self.signals, self.start, -HISTORY_H, HISTORY_H + self.n_slots)
        v = self.signals.values
        self.curt_mwh = v["curtailed_mw"][:, cols] * 1.0  # MW held for one hour -> MWh
        self.price = v["price_cny_per_mwh"][:, cols]
        self.co2_avg = v["co2_avg_kg_per_mwh"][:, cols]
        self.co2_marg = v["co2_marginal_kg_per_mwh"][:, cols]
        self.weight = objective_weights(self.params, self.price, self.co2_avg, self.co2_marg)


def objective_weight(price_cny_per_mwh, co2_marginal_kg_per_mwh, carbon_price_cny_per_tco2):
    """Objective per MWh drawn from the grid. [CNY/MWh]

    w = max(price, 0) + carbon price x marginal intensity. Negative prices count as zero in
    the objective (they would make the cost of a site-hour concave in the load); reported
    costs use the prices as given.
    """
    return (np.maximum(price_cny_per_mwh, 0.0)
            + carbon_price_cny_per_tco2 * np.asarray(co2_marginal_kg_per_mwh) / 1000.0)


def objective_weights(params: ScheduleParams, price_cny_per_mwh, co2_avg_kg_per_mwh,
                      co2_marginal_kg_per_mwh) -> np.ndarray:
    """Objective per MWh drawn from the grid, in the unit of ``params.objective``.

    ``cost``: :func:`objective_weight` [CNY/MWh]; ``co2-marginal``, ``co2-average``: the factor
    [tCO2/MWh]; ``curtailment``: 1 (every grid MWh counts the same) [MWh/MWh].
    """
    kind = params.objective
    if kind == "cost":
        return objective_weight(price_cny_per_mwh, co2_marginal_kg_per_mwh,
                                params.carbon_price_cny_per_tco2)
    if kind == "co2-marginal":
        return np.asarray(co2_marginal_kg_per_mwh, dtype=float) / 1000.0
    if kind == "co2-average":
        return np.asarray(co2_avg_kg_per_mwh, dtype=float) / 1000.0
    return np.ones_like(np.asarray(price_cny_per_mwh, dtype=float))


def build_problem(jobs: JobTable, sites: SiteTable, signals: SiteSignals,
                  params: ScheduleParams | None = None) -> Problem:
    """Assemble the arrays of an instance.

    Raises
    ------
    InputError
        Signals lack a site; a job needs more accelerators than any site has.
    """
    params = params or ScheduleParams()
    sig = signals.subset(sites.ids)
    f = jobs.frame
    cap = sites.frame["n_accelerators"].to_numpy(dtype=np.int64)
    acc = f["n_accelerators"].to_numpy(dtype=np.int64)
    too_big = acc > cap.max()
    if too_big.any():
        r = int(np.argmax(too_big))
        raise InputError(f"trace: row {r + 1} (job_id {f['job_id'].iat[r]!r}), column n_accelerators",
                         int(acc[r]), f"at most {int(cap.max())} (the largest site)")
    start = f["submit_time"].iat[0].floor("h")
    sub = (f["submit_time"] - start).dt.total_seconds().to_numpy() / 3600.0
    dl = (f["deadline_time"] - start).dt.total_seconds().to_numpy() / 3600.0
    dur = f["duration_h"].to_numpy(dtype=float)
    org_idx, lat_o = origin_latency_ms(f["origin_province"].to_numpy(), sites)
    return problem_from_arrays(jobs, sites, sig, params, start, sub, dur, dl, acc,
                               lat_o[org_idx], jobs.latency_limit_ms())


def problem_from_arrays(jobs: JobTable | None, sites: SiteTable, site_signals: SiteSignals,
                        params: ScheduleParams, start: pd.Timestamp, submit_h: np.ndarray,
                        duration_h: np.ndarray, deadline_h: np.ndarray, n_acc: np.ndarray,
                        latency_ms: np.ndarray, limit_ms: np.ndarray) -> Problem:
    """A :class:`Problem` from validated job arrays (what :func:`build_problem` does after
    reading the job table; the placement of one job calls it directly, without a table).

    Parameters
    ----------
    jobs : JobTable or None
        The jobs, kept for :func:`computegrid.scheduling.evaluate.schedule_frame`; ``None``
        where no schedule frame is wanted.
    site_signals : SiteSignals
        Signals of ``sites.ids``, in that order.
    start : pandas.Timestamp
        UTC start of slot 0 (on the hour).
    submit_h, duration_h, deadline_h : ndarray
        Per job: submit time and deadline from slot 0, and run time. [h]
    n_acc : ndarray of int
        Accelerators per job; none above the largest site. [-]
    latency_ms : ndarray
        ``jobs x sites`` round-trip times. [ms]
    limit_ms : ndarray
        Round-trip limit per job. [ms]
    """
    cap = sites.capacity
    allowed = latency_ms <= limit_ms[:, None]
    nearest = np.argmin(latency_ms, axis=1)
    # a job that no site within its limit could ever hold falls back to its nearest site
    allowed &= n_acc[:, None] <= cap[None, :]
    none = ~allowed.any(axis=1)
    allowed[none, nearest[none]] = True
    mwh_per_acc_h = params.power_per_accelerator_kw * sites.pue / 1000.0
    n_slots = int(math.ceil(float(np.max(deadline_h)))) + 2
    p = Problem(jobs=jobs, sites=sites, signals=site_signals, params=params, start=start,
                submit_h=submit_h, duration_h=duration_h, deadline_h=deadline_h, n_acc=n_acc,
                latency_ms=latency_ms, limit_ms=limit_ms, allowed=allowed, nearest=nearest,
                capacity=cap, mwh_per_acc_h=mwh_per_acc_h, n_slots=n_slots, curt_mwh=None,
                price=None, co2_avg=None, co2_marg=None, weight=None)
    p._fill_signals()
    return p


def job_slots(start_h: float, duration_h: float) -> tuple[int, np.ndarray]:
    """First slot and fraction of each touched slot that a run ``[start, start+duration)`` fills.

    Returns
    -------
    first : int
    frac : ndarray
        Hours run in each slot from ``first`` on. [h]
    """
    k0 = int(math.floor(start_h + 1e-9))
    end = start_h + duration_h
    k1 = max(int(math.ceil(end - 1e-9)), k0 + 1)
    edges = np.arange(k0, k1 + 1, dtype=float)
    lo = np.maximum(edges[:-1], start_h)
    hi = np.minimum(edges[1:], end)
    return k0, np.maximum(hi - lo, 0.0)
