"""Allocation of a programme's quota to its colleges (methodology.md §6).

For one programme with quota ``Q`` and licensed colleges ``k`` (capacity ``cap[k]``, weight
``w[k] = cap[k]·e[k]``): ``target[k] = Q·w[k]/Σw`` and the allocation ``A[k]`` solves the
integer programme

    Σ A = Q,  0 ≤ A[k] ≤ cap[k],  A[k] = 0 or A[k] ≥ m = min(min_group, Q)

with the lexicographic objective (1) least Σ|A − target|, (2) among allocations within 1e-6
of that, least Σ(A − target)², (3) among those still tied (1e-6), most places to the smallest
college code, then the next (codes compared as text).

How it is solved (every path gives the optimum of that programme; the tests check each path
against a brute-force enumeration of the three-level objective on small instances):

* ``Q = 0``: all zero. ``Σcap ≤ Q``: every college gets its capacity, the rest is the deficit
  (the minimum-group rule does not apply).
* **Separable-convex greedy** (``greedy``). Without the minimum-group rule both objectives are
  sums over colleges of convex functions of integer ``A[k]``, so the lexicographic optimum
  takes the Q cheapest unit increments, where the j-th place of college k costs the pair
  (|j−t| − |j−1−t|, 2j−1−2t) compared lexicographically (R² with lexicographic order is an
  ordered group, so the sum of the Q smallest pairs is the least sum), and equal pairs go to
  the smaller college code first, which gives (3). If that allocation already satisfies the
  minimum-group rule it is optimal for the constrained problem too (the constrained set is a
  subset) and no solver runs.
* **Dynamic programme** (``dp``) over colleges in code order with state "places used", each
  college choosing 0 or a value in [m, cap]; costs compared lexicographically (c1 first, ties
  within 1e-9 broken by c2). Reading the table forwards and taking at each college the largest
  value that still reaches the optimum gives rule (3) exactly. Used when the table is small
  (``(Q+1)·Σ options ≤ DP_LIMIT``): faster than a solver call for the usual programme.
* **MILP** (``milp``; ``scipy.optimize.milp`` / HiGHS, ``mip_rel_gap = 0``) for large
  instances: integer A, binary open/closed y with ``m·y ≤ A ≤ cap·y``, deviations
  ``d ≥ ±(A − t)``; stage 1 minimises Σd; stage 2 adds ``Σd ≤ best + 1e-6`` and minimises
  Σ(A − t)² made exact over integers by ``z[k] ≥ (2j+1)·A[k] − j(j+1)`` (the chords of A² at
  integer points; their maximum equals A² at every integer); stage 3 moves places towards
  smaller codes (swaps of two colleges' values and single places) while both objectives stay
  within 1e-6 of the optimum.
* If the minimum-group rule makes the problem infeasible though capacity suffices, the
  allocation is the greedy one without the rule and ``relaxed`` is set (the caller reports it).
  If the solver fails, a deterministic heuristic (open the colleges with the largest targets,
  then the greedy) gives the answer and ``message`` says so; the run never fails here.

Examples
--------
>>> a = allocate(40, [30, 30, 10], [30.0, 30.0, 10.0], ["K1", "K2", "K3"], min_group=15)
>>> a.quota.tolist(), a.deficit, a.method   # K3's target 5.7 is below the minimum group
([20, 20, 0], 0, 'dp')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: largest DP table (cells) before the MILP is used instead
DP_LIMIT = 4_000_000
#: tie tolerance of the objectives (methodology.md §6)
TIE = 1e-6
#: tolerance inside the greedy/DP comparisons (float noise of exact ties)
NOISE = 1e-9
#: seconds HiGHS may spend on one stage before the heuristic is used
MILP_TIME_LIMIT = 10.0


@dataclass
class Allocation:
    """Result of :func:`allocate` for one programme (arrays in the input order)."""

    quota: np.ndarray      # int64 places per college
    target: np.ndarray     # float target per college
    deficit: int           # places that found no capacity
    method: str            # zero, capacity, greedy, dp, milp, relaxed, fallback
    relaxed: bool = False  # the minimum-group rule was dropped (infeasible)
    message: str | None = None


def targets(quota: int, weight: np.ndarray) -> np.ndarray:
    """target[k] = quota·w[k]/Σw (zeros when the quota or Σw is 0)."""
    weight = np.asarray(weight, dtype=float)
    total = weight.sum()
    if quota == 0 or total <= 0:
        return np.zeros(len(weight))
    return quota * weight / total


def objective(alloc: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """(Σ|A − t|, Σ(A − t)²)."""
    dev = np.asarray(alloc, dtype=float) - target
    return float(np.abs(dev).sum()), float((dev * dev).sum())


def _greedy(quota: int, lo: np.ndarray, hi: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Exact lexicographic optimum of the separable convex problem lo ≤ A ≤ hi, ΣA = quota.

    Colleges must be in code order (position = rank). Needs Σlo ≤ quota ≤ Σhi.
    """
    alloc = lo.astype(np.int64).copy()
    left = int(quota - alloc.sum())
    if left <= 0:
        return alloc
    span = (hi - lo).astype(np.int64)
    college = np.repeat(np.arange(len(lo)), span)
    # j = lo+1 … hi for each college
    start = np.repeat(np.cumsum(span) - span, span)
    j = (np.arange(span.sum()) - start + np.repeat(lo, span) + 1).astype(float)
    t = target[college]
    c1 = np.abs(j - t) - np.abs(j - 1 - t)
    c2 = 2 * j - 1 - 2 * t
    order = np.lexsort((j, college, np.round(c2, 9), np.round(c1, 9)))
    np.add.at(alloc, college[order[:left]], 1)
    return alloc


def _options(cap: int, m: int, quota: int) -> np.ndarray:
    top = min(cap, quota)
    if top < m:
        return np.zeros(1, dtype=np.int64)
    return np.concatenate(([0], np.arange(m, top + 1))).astype(np.int64)


def _dp(quota: int, cap: np.ndarray, target: np.ndarray, m: int) -> np.ndarray | None:
    """Exact three-level optimum with the minimum-group rule; None if infeasible."""
    n = len(cap)
    qs = np.arange(quota + 1)
    inf = np.inf
    f1 = np.full((n + 1, quota + 1), inf)
    f2 = np.full((n + 1, quota + 1), inf)
    f1[n, 0] = f2[n, 0] = 0.0
    opts = [_options(int(c), m, quota) for c in cap]
    for i in range(n - 1, -1, -1):
        a = opts[i]
        idx = qs[:, None] - a[None, :]
        valid = idx >= 0
        idx = np.where(valid, idx, 0)
        dev = a - target[i]
        c1 = np.where(valid, np.abs(dev)[None, :] + f1[i + 1][idx], inf)
        c2 = np.where(valid, (dev * dev)[None, :] + f2[i + 1][idx], inf)
        best1 = c1.min(axis=1)
        near = c1 <= best1[:, None] + NOISE
        c2n = np.where(near, c2, inf)
        pick = c2n.argmin(axis=1)
        f1[i] = c1[qs, pick]
        f2[i] = c2n[qs, pick]
    if not np.isfinite(f1[0, quota]):
        return None
    alloc = np.zeros(n, dtype=np.int64)
    q = quota
    for i in range(n):
        a = opts[i][opts[i] <= q]
        dev = a - target[i]
        c1 = np.abs(dev) + f1[i + 1][q - a]
        c2 = dev * dev + f2[i + 1][q - a]
        ok = (c1 <= f1[i, q] + NOISE) & (c2 <= f2[i, q] + NOISE)
        alloc[i] = a[ok].max()
        q -= int(alloc[i])
    return alloc


def _milp(quota: int, cap: np.ndarray, target: np.ndarray, m: int) -> np.ndarray:
    """Stages 1 and 2 with HiGHS; raises RuntimeError when a stage does not solve."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array, hstack, identity, vstack

    n = len(cap)
    capf = cap.astype(float)
    eye = identity(n, format="csr")
    zero = coo_array((n, n))
    ones = np.ones((1, n))
    # variables: A (n), y (n), d (n)
    rows = vstack([
        hstack([coo_array(ones), coo_array((1, 2 * n))]),
        hstack([eye, -m * eye, zero]),
        hstack([eye, -coo_array(np.diag(capf)), zero]),
        hstack([-eye, zero, eye]),
        hstack([eye, zero, eye]),
    ]).tocsr()
    lb = np.concatenate(([quota], np.zeros(n), np.full(n, -np.inf), -target, target))
    ub = np.concatenate(([quota], np.full(n, np.inf), np.zeros(n), np.full(n, np.inf),
                         np.full(n, np.inf)))
    integrality = np.concatenate((np.ones(2 * n), np.zeros(n)))
    bounds = Bounds(np.zeros(3 * n), np.concatenate((capf, np.ones(n), np.full(n, np.inf))))
    options = {"mip_rel_gap": 0.0, "time_limit": MILP_TIME_LIMIT, "presolve": True}
    c = np.concatenate((np.zeros(2 * n), np.ones(n)))
    res = milp(c, constraints=LinearConstraint(rows, lb, ub), integrality=integrality,
               bounds=bounds, options=options)
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"stage 1: {res.message}")
    best1 = float(res.fun)
    # stage 2: add z (n) with chord cuts, Σd ≤ best1 + TIE
    chord_rows, chord_cols, chord_vals, chord_lb = [], [], [], []
    r = 0
    for k in range(n):
        js = [0] + list(range(max(m - 1, 1), int(cap[k])))
        for jj in js:
            chord_rows += [r, r]
            chord_cols += [3 * n + k, k]
            chord_vals += [1.0, -(2 * jj + 1.0)]
            chord_lb.append(-float(jj * (jj + 1)))
            r += 1
    chords = coo_array((chord_vals, (chord_rows, chord_cols)), shape=(r, 4 * n))
    base = hstack([rows, coo_array((rows.shape[0], n))])
    dsum = coo_array(np.concatenate((np.zeros(2 * n), np.ones(n), np.zeros(n)))[None, :])
    rows2 = vstack([base, chords, dsum]).tocsr()
    lb2 = np.concatenate((lb, chord_lb, [-np.inf]))
    ub2 = np.concatenate((ub, np.full(r, np.inf), [best1 + TIE]))
    c2 = np.concatenate((-2 * target, np.zeros(2 * n), np.ones(n)))
    bounds2 = Bounds(np.zeros(4 * n),
                     np.concatenate((capf, np.ones(n), np.full(2 * n, np.inf))))
    res2 = milp(c2, constraints=LinearConstraint(rows2, lb2, ub2),
                integrality=np.concatenate((integrality, np.zeros(n))), bounds=bounds2,
                options=options)
    if res2.status != 0 or res2.x is None:
        raise RuntimeError(f"stage 2: {res2.message}")
    return np.round(res2.x[:n]).astype(np.int64)


def _tie_break(alloc: np.ndarray, cap: np.ndarray, target: np.ndarray, m: int) -> np.ndarray:
    """Stage 3 after the MILP: move places to smaller codes while both objectives stay tied."""
    alloc = alloc.copy()
    best1, best2 = objective(alloc, target)
    n = len(alloc)

    def ok(a: np.ndarray) -> bool:
        if np.any(a < 0) or np.any(a > cap) or np.any((a > 0) & (a < m)):
            return False
        o1, o2 = objective(a, target)
        return o1 <= best1 + TIE and o2 <= best2 + TIE

    changed = True
    while changed:
        changed = False
        for i in range(n):
            for k in range(i + 1, n):
                trials = []
                if alloc[k] > alloc[i]:
                    swap = alloc.copy()
                    swap[i], swap[k] = alloc[k], alloc[i]
                    trials.append(swap)
                if alloc[k] > 0:
                    move = alloc.copy()
                    move[i] += 1
                    move[k] -= 1
                    trials.append(move)
                for trial in trials:
                    if ok(trial):
                        alloc = trial
                        changed = True
                        break
    return alloc


def _heuristic(quota: int, cap: np.ndarray, target: np.ndarray, m: int) -> np.ndarray:
    """Deterministic fallback: open the colleges with the largest targets, then the greedy."""
    order = sorted(range(len(cap)), key=lambda k: (-target[k], k))
    eligible = [k for k in order if cap[k] >= m]
    for r in range(min(len(eligible), quota // max(m, 1)), 0, -1):
        chosen = sorted(eligible[:r])
        if cap[chosen].sum() >= quota:
            lo = np.zeros(len(cap), dtype=np.int64)
            hi = np.zeros(len(cap), dtype=np.int64)
            lo[chosen] = m
            hi[chosen] = np.minimum(cap[chosen], quota)
            return _greedy(quota, lo, hi, target)
    return _greedy(quota, np.zeros(len(cap), dtype=np.int64), np.minimum(cap, quota), target)


def min_group_feasible(quota: int, cap: np.ndarray, m: int) -> bool:
    """Whether some colleges can each take ≥ m places and together exactly ``quota``.

    Opening r colleges needs r·m ≤ quota ≤ their capacity; the r largest capacities are best.

    >>> min_group_feasible(20, np.array([14, 14]), 15), min_group_feasible(30, np.array([15, 15]), 15)
    (False, True)
    """
    big = np.sort(cap[cap >= m])[::-1]
    r = min(len(big), quota // m) if m > 0 else len(big)
    return r > 0 and int(big[:r].sum()) >= quota


def allocate(
    quota: int,
    capacity: Sequence[int] | np.ndarray,
    weight: Sequence[float] | np.ndarray,
    codes: Sequence[str],
    min_group: int,
    *,
    method: str = "auto",
) -> Allocation:
    """Split ``quota`` among colleges (methodology.md §6); arrays follow the order of ``codes``.

    Parameters
    ----------
    quota : int
        The programme's quota A'[s].
    capacity : array of int
        cap[s,k] of each licensed college.
    weight : array of float
        cap[s,k]·e[s,k] (targets are proportional to it).
    codes : sequence of str
        College codes (the final tie-break, text order).
    min_group : int
        ``quotas.min_group``; the rule uses min(min_group, quota).
    method : {"auto", "dp", "milp"}
        Solver when the minimum-group rule binds; "auto" uses the DP on small tables.

    Examples
    --------
    >>> allocate(7, [20, 30], [20.0, 30.0], ["K1", "K2"], 15).quota.tolist()
    [0, 7]
    >>> allocate(50, [10, 20], [10.0, 20.0], ["K1", "K2"], 15).deficit
    20
    """
    codes = [str(c) for c in codes]
    n = len(codes)
    cap_in = np.asarray(capacity, dtype=np.int64)
    target_in = targets(int(quota), np.asarray(weight, dtype=float))
    if quota < 0:
        raise ValueError("quota must be non-negative")
    if quota == 0 or n == 0:
        return Allocation(np.zeros(n, dtype=np.int64), target_in, int(quota) if n == 0 else 0,
                          "zero")
    if int(cap_in.sum()) <= quota:
        return Allocation(cap_in.copy(), target_in, int(quota - cap_in.sum()), "capacity")
    order = np.array(sorted(range(n), key=lambda k: codes[k]), dtype=np.int64)
    cap = cap_in[order]
    target = target_in[order]
    m = int(min(max(int(min_group), 0), quota))
    hi = np.minimum(cap, quota)
    relaxed_alloc = _greedy(quota, np.zeros(n, dtype=np.int64), hi, target)
    method_used, relaxed, message = "greedy", False, None
    alloc = relaxed_alloc
    if m > 1 and np.any((relaxed_alloc > 0) & (relaxed_alloc < m)):
        if not min_group_feasible(quota, cap, m):
            method_used, relaxed = "relaxed", True
            message = (f"minimum group {m} cannot be met by any set of colleges within their "
                       "capacities; allocated without the rule")
        else:
            cells = (quota + 1) * sum(len(_options(int(c), m, quota)) for c in cap)
            use_dp = method == "dp" or (method == "auto" and cells <= DP_LIMIT)
            try:
                if use_dp:
                    got = _dp(quota, cap, target, m)
                    if got is None:  # cannot happen after the feasibility check
                        raise RuntimeError("dynamic programme found no allocation")
                    alloc, method_used = got, "dp"
                else:
                    got = _milp(quota, cap, target, m)
                    alloc, method_used = _tie_break(got, cap, target, m), "milp"
            except Exception as err:  # the solver never fails the run (§6)
                alloc = _heuristic(quota, cap, target, m)
                method_used = "fallback"
                message = f"solver failed ({err}); deterministic heuristic allocation used"
    out = np.empty(n, dtype=np.int64)
    out[order] = alloc
    return Allocation(out, target_in, 0, method_used, relaxed, message)


__all__ = ["Allocation", "allocate", "objective", "targets", "min_group_feasible", "DP_LIMIT"]
