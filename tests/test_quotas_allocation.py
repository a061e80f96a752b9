"""Measure 13, methodology §6: allocation of a programme's quota to colleges.

The reference is a brute-force enumeration of every integer allocation, applying the
three-level lexicographic objective of §6 literally (least Σ|dev|; within 1e-6 of it, least
Σdev²; within 1e-6 of that, most places to the smallest college code, then the next).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.quotas.allocation import allocate, min_group_feasible


def brute_force(quota, cap, weight, codes, min_group):
    """(allocation, relaxed) by enumeration; the literal §6 rules."""
    cap = np.asarray(cap, dtype=np.int64)
    w = np.asarray(weight, dtype=float)
    t = quota * w / w.sum() if quota and w.sum() > 0 else np.zeros(len(cap))
    if cap.sum() <= quota:
        return cap.copy(), False
    grid = np.array(list(itertools.product(*[range(int(c) + 1) for c in cap])), dtype=np.int64)
    grid = grid[grid.sum(axis=1) == quota]
    m = min(min_group, quota)
    ok = np.all((grid == 0) | (grid >= m), axis=1)
    relaxed = not ok.any()
    if not relaxed:
        grid = grid[ok]
    dev = grid - t
    c1 = np.abs(dev).sum(axis=1)
    grid, dev = grid[c1 <= c1.min() + 1e-6], dev[c1 <= c1.min() + 1e-6]
    c2 = (dev * dev).sum(axis=1)
    grid = grid[c2 <= c2.min() + 1e-6]
    order = sorted(range(len(codes)), key=lambda k: codes[k])
    best = max(grid.tolist(), key=lambda a: [a[k] for k in order])
    return np.array(best), relaxed


def random_instance(rng):
    n = int(rng.integers(1, 5))
    cap = rng.integers(0, 21, n)
    if rng.random() < 0.3:                     # equal capacities: ties by code
        cap[:] = cap[0]
    rate = rng.choice([0.5, 0.75, 1.0], n) if rng.random() < 0.5 else np.ones(n)
    quota = int(rng.integers(0, 31))
    codes = [f"K{int(x)}" for x in rng.permutation(12)[:n]]
    min_group = int(rng.choice([0, 1, 5, 10, 15]))
    return quota, cap, cap * rate, codes, min_group


@pytest.mark.parametrize("method", ["auto", "dp", "milp"])
def test_parity_with_brute_force(method):
    rng = np.random.default_rng(20261126)
    n_cases = 150 if method != "milp" else 80
    for _ in range(n_cases):
        quota, cap, w, codes, mg = random_instance(rng)
        want, relaxed = brute_force(quota, cap, w, codes, mg)
        got = allocate(quota, cap, w, codes, mg, method=method)
        assert got.quota.tolist() == want.tolist(), (quota, cap.tolist(), w.tolist(), codes, mg)
        assert got.relaxed == relaxed
        assert got.deficit == max(0, quota - int(cap.sum()))


def test_dp_and_milp_agree_on_larger_instances():
    # Too large to enumerate: the two exact solvers must give the same allocation.
    rng = np.random.default_rng(7)
    for _ in range(6):
        n = int(rng.integers(5, 13))
        cap = rng.integers(5, 60, n)
        w = cap * rng.choice([0.6, 0.8, 1.0], n)
        quota = int(rng.integers(20, min(150, cap.sum())))
        codes = [f"K{i:02d}" for i in rng.permutation(n)]
        dp = allocate(quota, cap, w, codes, 15, method="dp")
        milp = allocate(quota, cap, w, codes, 15, method="milp")
        assert dp.quota.tolist() == milp.quota.tolist()
        assert dp.quota.sum() == quota


def test_programme_smaller_than_min_group_goes_to_one_college():
    # quota 7 < min_group 15, so m = 7: K1 (cap 20) target 2.8, K2 (cap 30) target 4.2.
    # (7, 0): |7−2.8| + 4.2 = 8.4; (0, 7): 2.8 + |7−4.2| = 5.6 → K2 takes all 7.
    a = allocate(7, [20, 30], [20.0, 30.0], ["K1", "K2"], 15)
    assert a.quota.tolist() == [0, 7]
    assert a.target.tolist() == pytest.approx([2.8, 4.2])
    assert a.deficit == 0 and not a.relaxed


def test_capacity_deficit():
    # Σcap = 30 ≤ 50: each college gets its capacity, deficit 20, min-group rule off
    # (K1 gets 10 < 15). Targets stay proportional: 50·10/30 = 16.67 and 33.33.
    a = allocate(50, [10, 20], [10.0, 20.0], ["K1", "K2"], 15)
    assert a.quota.tolist() == [10, 20] and a.deficit == 20
    assert a.target.tolist() == pytest.approx([50 / 3, 100 / 3])
    # equality Σcap = quota: capacities, deficit 0
    a = allocate(30, [10, 20], [10.0, 20.0], ["K1", "K2"], 15)
    assert a.quota.tolist() == [10, 20] and a.deficit == 0


def test_tie_between_colleges_goes_to_smallest_code_as_text():
    # quota 15, equal capacity·rate → targets 7.5 and 7.5; (8, 7) and (7, 8) tie on both
    # objectives (1.0 and 0.5); "K10" < "K2" as text, so K10 gets 8.
    a = allocate(15, [20, 20], [20.0, 20.0], ["K2", "K10"], 1)
    assert a.quota.tolist() == [7, 8]
    # with the minimum group 15 only one college can open: again K10
    a = allocate(15, [20, 20], [20.0, 20.0], ["K2", "K10"], 15)
    assert a.quota.tolist() == [0, 15]


def test_min_group_prefers_fewer_larger_groups():
    # quota 40: targets 17.1, 17.1, 5.7 (caps 30, 30, 10) — K3 below 15 closes:
    # (20, 20, 0): 2.86 + 2.86 + 5.71 = 11.43 is the least total deviation.
    a = allocate(40, [30, 30, 10], [30.0, 30.0, 10.0], ["K1", "K2", "K3"], 15)
    assert a.quota.tolist() == [20, 20, 0]


def test_min_group_infeasible_is_relaxed_and_reported():
    # quota 20 but no college can take 15 (caps 14, 14): the rule is dropped; targets 10, 10.
    a = allocate(20, [14, 14], [14.0, 14.0], ["K1", "K2"], 15)
    assert a.relaxed and a.quota.tolist() == [10, 10] and a.message
    assert not min_group_feasible(20, np.array([14, 14]), 15)


def test_solver_failure_falls_back_exactly(monkeypatch):
    # HiGHS' documented failure (a status other than 0, here its time limit, x None) is the
    # only one that falls back; the fallback (the dynamic programme) must give the exact
    # optimum of §6, checked against the enumeration on every instance where the MILP runs.
    import scipy.optimize

    from forecast.quotas import allocation as alloc

    calls = []

    def time_limit(*args, **kwargs):
        calls.append(1)
        return scipy.optimize.OptimizeResult(status=1, x=None, success=False,
                                             message="Time limit reached. (HiGHS Status 13)")

    monkeypatch.setattr(scipy.optimize, "milp", time_limit)
    rng = np.random.default_rng(7)
    fell_back = 0
    for _ in range(150):
        quota, cap, w, codes, mg = random_instance(rng)
        want, relaxed = brute_force(quota, cap, w, codes, mg)
        got = alloc.allocate(quota, cap, w, codes, mg, method="milp")
        assert got.quota.tolist() == want.tolist(), (quota, cap.tolist(), w.tolist(), codes, mg)
        assert got.relaxed == relaxed
        if got.method == "fallback":
            fell_back += 1
            assert "Time limit reached" in got.message and "dynamic programme" in got.message
    assert fell_back >= 10 and calls   # the failure path really ran


def test_a_bug_in_a_solver_path_is_not_hidden_as_a_fallback(monkeypatch):
    from forecast.quotas import allocation as alloc

    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(alloc, "_milp", bug)
    with pytest.raises(ZeroDivisionError):
        alloc.allocate(40, [30, 30, 10], [30.0, 30.0, 10.0], ["K1", "K2", "K3"], 15,
                       method="milp")
    monkeypatch.setattr(alloc, "_dp", bug)
    with pytest.raises(ZeroDivisionError):
        alloc.allocate(40, [30, 30, 10], [30.0, 30.0, 10.0], ["K1", "K2", "K3"], 15)


@pytest.mark.parametrize("method", ["typo", "MILP", "", None])
def test_unknown_method_is_an_error(method):
    with pytest.raises(ValueError, match="method must be one of auto, dp, milp"):
        allocate(40, [30, 30, 10], [30.0, 30.0, 10.0], ["K1", "K2", "K3"], 15, method=method)
    # also where nothing binds (quota 0) and through the stage's API, before reading tables
    with pytest.raises(ValueError, match="method must be one of"):
        allocate(0, [30], [30.0], ["K1"], 15, method=method)
    from forecast.quotas import derive_quotas_detailed

    with pytest.raises(ValueError, match="method must be one of"):
        derive_quotas_detailed(None, 2026, None, None, method=method)


instances = st.integers(1, 8).flatmap(lambda n: st.tuples(
    st.integers(0, 300),
    st.lists(st.integers(0, 80), min_size=n, max_size=n),
    st.lists(st.sampled_from([0.3, 0.5, 0.75, 0.9, 1.0]), min_size=n, max_size=n),
    st.integers(0, 30),
))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances)
def test_allocation_invariants(inst):
    quota, cap, rate, mg = inst
    cap = np.array(cap)
    w = cap * np.array(rate)
    codes = [f"K{i}" for i in range(len(cap))]
    a = allocate(quota, cap, w, codes, mg)
    assert a.quota.dtype == np.int64 and np.all(a.quota >= 0)
    assert np.all(a.quota <= cap)
    assert int(a.quota.sum()) + a.deficit == quota
    assert a.deficit == max(0, quota - int(cap.sum()))
    if a.deficit == 0 and int(cap.sum()) > quota and not a.relaxed:
        m = min(mg, quota)
        assert np.all((a.quota == 0) | (a.quota >= m))
    b = allocate(quota, cap, w, codes, mg)
    assert a.quota.tolist() == b.quota.tolist()       # deterministic


def test_auto_switches_to_milp_past_the_dp_limit(monkeypatch):
    import forecast.quotas.allocation as alloc

    cap, w, codes = [30, 30, 10, 12], [30.0, 27.0, 10.0, 12.0], ["K4", "K1", "K3", "K2"]
    exact = alloc.allocate(45, cap, w, codes, 15, method="dp")
    monkeypatch.setattr(alloc, "DP_LIMIT", 10)
    big = alloc.allocate(45, cap, w, codes, 15)
    assert big.method == "milp" and exact.method == "dp"
    assert big.quota.tolist() == exact.quota.tolist()
    assert brute_force(45, cap, w, codes, 15)[0].tolist() == exact.quota.tolist()
