"""Scheduling policies on small hand-built instances: capacity, time windows, online
information, and the optimal bound."""

import numpy as np
import pandas as pd
import pytest

from computegrid.scheduling.evaluate import evaluate
from computegrid.scheduling.jobs import make_jobs
from computegrid.scheduling.optimal import run_optimal
from computegrid.scheduling.policies import POLICIES, run_policy
from computegrid.scheduling.problem import ScheduleParams, build_problem
from computegrid.scheduling.signals import make_signals
from computegrid.scheduling.sites import make_sites

T0 = pd.Timestamp("2021-03-01T00:00:00Z")


def sites(n_acc=(4, 4, 4)):
    # Beijing metro, Zhangjiakou (15 ms-ish), Zhongwei (far west)
    return make_sites(pd.DataFrame({
        "site": ["bj", "zjk", "zw"][:len(n_acc)],
        "province": ["BJ", "HE", "NX"][:len(n_acc)],
        "latitude_deg": [39.90, 40.77, 37.52][:len(n_acc)],
        "longitude_deg": [116.41, 114.89, 105.17][:len(n_acc)],
        "pue": [1.3, 1.25, 1.2][:len(n_acc)],
        "n_accelerators": list(n_acc),
    }))


def signals(site_ids, hours=24 * 6, seed=0, curtailed_mw=0.002):
    rng = np.random.default_rng(seed)
    ts = pd.date_range(T0 - pd.Timedelta(days=1), periods=hours, freq="h")
    rows = []
    for i, s in enumerate(site_ids):
        h = np.arange(hours)
        sun = np.clip(np.sin((h % 24 - 6) / 12 * np.pi), 0, None)
        rows.append(pd.DataFrame({
            "timestamp": ts, "site": s,
            "curtailed_mw": curtailed_mw * sun * rng.random(hours) * (i + 1),
            "price_cny_per_mwh": 400 - 150 * sun * (i + 1) / 2 + rng.normal(0, 30, hours),
            "co2_avg_kg_per_mwh": 600 - 100 * sun,
            "co2_marginal_kg_per_mwh": np.clip(850 - 200 * sun * i + rng.normal(0, 50, hours), 0, None),
        }))
    return make_signals(pd.concat(rows, ignore_index=True))


def random_jobs(n, seed, max_acc=3, span_h=48, classes=("batch", "training")):
    rng = np.random.default_rng(seed)
    sub = np.sort(rng.uniform(0, span_h, n))
    return make_jobs(pd.DataFrame({
        "job_id": [f"j{i}" for i in range(n)],
        "submit_time": T0 + pd.to_timedelta(sub, unit="h"),
        "n_accelerators": rng.integers(1, max_acc + 1, n),
        "duration_h": rng.choice([0.2, 0.9, 1.0, 2.5, 5.0], n),
        "job_class": rng.choice(classes, n),
        "slack_h": rng.choice([0.0, 2.0, 8.0], n),
        "origin_province": rng.choice(["Beijing", "Hebei"], n),
    }))


def all_schedules(p, with_optimal=True):
    out = {}
    for name in POLICIES:
        out[name] = run_policy(p, name)
    if with_optimal:
        out["optimal"] = run_optimal(p, time_limit_s=60, mip_rel_gap=1e-9,
                                     initial=out["greedy"])[:2]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_site_over_capacity_and_windows_respected(seed):
    """Scarce capacity: no policy ever puts more accelerators on a site than it has, and no
    job starts before it is submitted; jobs that run late are counted as misses."""
    st = sites((3, 2, 4))
    jobs = random_jobs(60, seed)
    p = build_problem(jobs, st, signals(st.ids, seed=seed))
    for name, (site, start) in all_schedules(p, with_optimal=False).items():
        m = evaluate(p, name, site, start, 0.0)
        assert m.capacity_violations == 0, name
        assert m.early_starts == 0, name
        assert np.all(start >= p.submit_h - 1e-9), name
        late = start + p.duration_h > p.deadline_h + 1e-6
        assert m.deadline_misses == int(late.sum()), name


@pytest.mark.parametrize("seed", [3, 4])
def test_every_policy_meets_deadlines_with_room(seed):
    """With enough accelerators every policy, optimal included, meets every deadline and
    every latency limit, never starts early and never overfills a site."""
    st = sites((40, 40, 40))
    jobs = random_jobs(40, seed)
    p = build_problem(jobs, st, signals(st.ids, seed=seed))
    for name, (site, start) in all_schedules(p).items():
        m = evaluate(p, name, site, start, 0.0)
        assert m.deadline_misses == 0, name
        assert m.capacity_violations == 0, name
        assert m.early_starts == 0, name
        assert m.latency_violations == 0, name
        end = start + p.duration_h
        assert np.all(end <= p.deadline_h + 1e-6), name


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_optimal_not_worse_than_any_heuristic(seed):
    """On the objective, optimal <= every heuristic that meets all deadlines (greedy must)."""
    st = sites((6, 5, 8))
    jobs = random_jobs(25, seed, span_h=24)
    p = build_problem(jobs, st, signals(st.ids, seed=seed, curtailed_mw=0.004))
    metrics = {name: evaluate(p, name, *sched, 0.0) for name, sched in all_schedules(p).items()}
    assert metrics["greedy"].deadline_misses == 0
    for name in POLICIES:
        if metrics[name].deadline_misses == 0:
            assert metrics["optimal"].objective_value <= metrics[name].objective_value * (1 + 1e-9), name
    assert metrics["optimal"].objective_value < metrics["fifo-local"].objective_value


def test_greedy_moves_to_the_cheap_hour_and_site_by_hand():
    """One training job, two sites, prices set by hand: the cheapest (site, hour) within the
    window is chosen; fifo-local runs at once at the nearest site."""
    st = sites((8, 8))
    ts = pd.date_range(T0 - pd.Timedelta(days=1), periods=96, freq="h")
    price = {"bj": np.full(96, 500.0), "zjk": np.full(96, 500.0)}
    price["zjk"][24 + 5] = 50.0  # cheap hour at Zhangjiakou, 5 h after submission
    frame = pd.concat([pd.DataFrame({"timestamp": ts, "site": s, "curtailed_mw": 0.0,
                                     "price_cny_per_mwh": price[s], "co2_avg_kg_per_mwh": 0.0,
                                     "co2_marginal_kg_per_mwh": 0.0}) for s in st.ids])
    sig = make_signals(frame)
    jobs = make_jobs(pd.DataFrame({"job_id": ["a"], "submit_time": [T0], "n_accelerators": [4],
                                   "duration_h": [1.0], "job_class": ["training"], "slack_h": [8.0],
                                   "origin_province": ["Beijing"]}))
    p = build_problem(jobs, st, sig, ScheduleParams(carbon_price_cny_per_tco2=0.0))
    site, start = run_policy(p, "greedy")
    assert st.ids[site[0]] == "zjk" and start[0] == pytest.approx(5.0)
    site, start = run_policy(p, "fifo-local")
    assert st.ids[site[0]] == "bj" and start[0] == pytest.approx(0.0)
    site, start = run_policy(p, "spatial")  # no waiting: both sites cost the same now
    assert start[0] == pytest.approx(0.0)
    site, start = run_policy(p, "temporal")  # one site: nothing cheaper at Beijing
    assert st.ids[site[0]] == "bj"
    # energy and cost by hand: 4 x 1.275 kW x 1.25 PUE x 1 h = 6.375 kWh at 50 CNY/MWh
    m = evaluate(p, "greedy", *run_policy(p, "greedy"), 0.0)
    assert m.energy_mwh == pytest.approx(4 * 1.275 * 1.25 / 1000)
    assert m.cost_cny == pytest.approx(4 * 1.275 * 1.25 / 1000 * 50.0)


def test_curtailed_power_is_free_up_to_its_amount():
    st = sites((8,))
    ts = pd.date_range(T0, periods=48, freq="h")
    sig = make_signals(pd.DataFrame({"timestamp": ts, "site": "bj", "curtailed_mw": 0.002,
                                     "price_cny_per_mwh": 300.0, "co2_avg_kg_per_mwh": 500.0,
                                     "co2_marginal_kg_per_mwh": 800.0}))
    jobs = make_jobs(pd.DataFrame({"job_id": ["a"], "submit_time": [T0], "n_accelerators": [2],
                                   "duration_h": [2.0], "origin_province": ["BJ"]}))
    p = build_problem(jobs, st, sig)
    m = evaluate(p, "fifo-local", *run_policy(p, "fifo-local"), 0.0)
    e = 2 * 1.275 * 1.3 / 1000  # MWh per hour
    assert m.curtailment_absorbed_mwh == pytest.approx(2 * 0.002)
    assert m.cost_cny == pytest.approx(2 * (e - 0.002) * 300.0)
    assert m.emissions_marginal_tco2 == pytest.approx(2 * (e - 0.002) * 0.8)


@pytest.mark.parametrize("policy", ["temporal", "spatial", "greedy"])
def test_online_mode_never_reads_a_future_signal(policy):
    """Change every signal from hour T on: in online mode, no decision taken before T may
    change. The same perturbation does change offline decisions (so the test has teeth)."""
    st = sites((6, 6, 6))
    jobs = random_jobs(50, 11, span_h=60)
    base = signals(st.ids, hours=24 * 8, seed=11).to_frame()
    cut = T0 + pd.Timedelta(hours=30)
    rng = np.random.default_rng(99)
    pert = base.copy()
    later = pert["timestamp"] >= cut
    pert.loc[later, "price_cny_per_mwh"] = rng.uniform(0, 800, later.sum())
    pert.loc[later, "co2_marginal_kg_per_mwh"] = rng.uniform(0, 900, later.sum())
    pert.loc[later, "curtailed_mw"] = rng.uniform(0, 0.01, later.sum())
    before = (jobs.frame["submit_time"] < cut - pd.Timedelta(hours=1)).to_numpy()
    assert before.sum() > 10

    def decide(frame, online):
        p = build_problem(jobs, st, make_signals(frame), ScheduleParams(online=online, forecast_error_frac=0.2))
        return run_policy(p, policy)

    s0, t0 = decide(base, True)
    s1, t1 = decide(pert, True)
    np.testing.assert_array_equal(s0[before], s1[before])
    np.testing.assert_allclose(t0[before], t1[before])
    if policy == "spatial":  # decides on the current hour only: no future to leak
        return
    o0, u0 = decide(base, False)
    o1, u1 = decide(pert, False)
    assert (o0[before] != o1[before]).any() or not np.allclose(u0[before], u1[before])


def test_online_forecast_error_changes_decisions_but_not_feasibility():
    st = sites((3, 3, 3))
    jobs = random_jobs(40, 12)
    sig = signals(st.ids, seed=12)
    p = build_problem(jobs, st, sig, ScheduleParams(online=True, forecast_error_frac=0.5))
    site, start = run_policy(p, "greedy")
    m = evaluate(p, "greedy", site, start, 0.0)
    assert m.capacity_violations == 0 and m.early_starts == 0


def test_latency_limits_keep_online_jobs_near():
    """Online jobs (20 ms) never go to a site beyond their limit even when it is cheapest."""
    st = make_sites(pd.DataFrame({
        "site": ["bj", "gz"], "province": ["BJ", "GD"], "latitude_deg": [39.90, 23.13],
        "longitude_deg": [116.41, 113.26], "pue": [1.3, 1.1], "n_accelerators": [20, 20]}))
    ts = pd.date_range(T0 - pd.Timedelta(days=1), periods=24 * 5, freq="h")
    sig = make_signals(pd.concat([pd.DataFrame({
        "timestamp": ts, "site": s, "curtailed_mw": 0.0, "price_cny_per_mwh": price,
        "co2_avg_kg_per_mwh": 500.0, "co2_marginal_kg_per_mwh": 800.0})
        for s, price in (("bj", 600.0), ("gz", 10.0))]))
    jobs = random_jobs(30, 13, classes=("online", "training"))
    p = build_problem(jobs, st, sig)
    assert p.latency_ms[0, 1] > 20.0  # Beijing/Hebei - Guangzhou is beyond the online limit
    site, start = run_policy(p, "greedy")
    online = (jobs.frame["job_class"] == "online").to_numpy()
    assert (site[online] == 0).all()
    assert (site[~online] == 1).any()  # training jobs do move to the cheap far site
    assert np.allclose(start[online], p.submit_h[online])  # online jobs have no slack
    assert evaluate(p, "greedy", site, start, 0.0).latency_violations == 0
