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
  instances: binary open/closed y, integer places above the minimum s ≤ (cap − m)·y, and
  unit variables carrying the exact increments of both objectives (see :func:`_milp`);
  stage 1 minimises Σ|A − t|; stage 2 adds ``Σ|A − t| ≤ best + 1e-6`` and minimises
  Σ(A − t)²; stage 3 adds ``Σ(A − t)² ≤ best₂ + 1e-6`` and, college by college in code
  order, maximises that college's places and fixes them (rule (3) exactly; one solve per
  college that could still take more). The windows are set from the exact objectives of the
  integer solutions, not from HiGHS' objective values (a bound a hair below the integer
  optimum, from the solver's tolerances, made stage 2 infeasible).
* Ties: the greedy and the DP treat differences below 1e-9 as equal (float noise of exact
  ties, e.g. 7.5 vs 7.5); the methodology's window is 1e-6. The two readings differ only if
  two allocations' objectives differ by between 1e-9 and 1e-6, which targets computed from
  whole capacities and rates given to a few decimals do not produce; the parity tests apply
  the literal 1e-6 rule by enumeration. The MILP applies the 1e-6 windows literally; it only
  runs for tables past ``DP_LIMIT``.
* When only one college can open (quota < 2·m) the DP reduces to choosing that college.
* If the minimum-group rule makes the problem infeasible though capacity suffices, the
  allocation is the greedy one without the rule and ``relaxed`` is set (the caller reports it).
* Failures. Only HiGHS' documented failure falls back: :func:`scipy.optimize.milp` returning
  a status other than 0 (time limit, iteration limit, numerical trouble) raises
  :class:`SolverError`, and the allocation is then made by the dynamic programme, which is
  exact (the same optimum, only slower on tables this large); ``method`` is ``fallback`` and
  ``message`` says so (the caller reports it). Anything else raised is a bug and propagates.
  An unknown ``method`` is a ValueError.

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
#: seconds HiGHS may spend on one stage before the dynamic programme is used instead
MILP_TIME_LIMIT = 10.0
#: values of ``allocate(method=...)``
METHODS: tuple[str, ...] = ("auto", "dp", "milp")


class SolverError(RuntimeError):
    """HiGHS did not return an optimal solution (its status and message)."""


@dataclass
class Allocation:
    """Result of :func:`allocate` for one programme (arrays in the input order)."""

    quota: np.ndarray      # int64 places per college
    target: np.ndarray     # float target per college
    deficit: int           # places that found no capacity
    method: str            # zero, capacity, greedy, dp, milp, relaxed, fallback
    relaxed: bool = False  # the minimum-group rule was dropped (infeasible)
    message: str | None = None
    #: the solver's error when ``method`` is fallback (for the issue message in either language)
    solver_error: str | None = None


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


def _one_open(quota: int, cap: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """Exact optimum when only one college can open (quota < 2·m): it takes all places."""
    total1, total2 = target.sum(), (target * target).sum()
    c1 = total1 - target + np.abs(quota - target)
    c2 = total2 - target * target + (quota - target) ** 2
    fits = cap >= quota
    if not fits.any():
        return None
    c1 = np.where(fits, c1, np.inf)
    near = c1 <= c1.min() + NOISE
    c2 = np.where(near, c2, np.inf)
    k = int(np.flatnonzero(c2 <= c2.min() + NOISE)[0])   # colleges are in code order
    alloc = np.zeros(len(cap), dtype=np.int64)
    alloc[k] = quota
    return alloc


def _dp(quota: int, cap: np.ndarray, target: np.ndarray, m: int) -> np.ndarray | None:
    """Exact three-level optimum with the minimum-group rule; None if infeasible."""
    if m > 0 and quota < 2 * m:
        return _one_open(quota, cap, target)
    n = len(cap)
    qs = np.arange(quota + 1)
    inf = np.inf
    width = quota + 1
    # f[i, q]: best (c1, c2) of colleges i… using q places; the padding of inf past column
    # `quota` makes negative indices q − a < 0 land on inf (no validity masks needed).
    f1 = np.full((n + 1, 2 * width + 1), inf)
    f2 = np.full((n + 1, 2 * width + 1), inf)
    f1[n, 0] = f2[n, 0] = 0.0
    opts = [_options(int(c), m, quota) for c in cap]
    dev1 = [np.abs(a - target[i]) for i, a in enumerate(opts)]
    dev2 = [(a - target[i]) ** 2 for i, a in enumerate(opts)]
    for i in range(n - 1, -1, -1):
        a = opts[i]
        if len(a) == 1:          # closed for sure: a constant cost
            f1[i, :width] = f1[i + 1, :width] + dev1[i][0]
            f2[i, :width] = f2[i + 1, :width] + dev2[i][0]
            continue
        idx = qs[:, None] - a[None, :]
        c1 = dev1[i][None, :] + f1[i + 1][idx]
        c2 = dev2[i][None, :] + f2[i + 1][idx]
        best1 = c1.min(axis=1)
        c2 = np.where(c1 <= best1[:, None] + NOISE, c2, inf)
        pick = c2.argmin(axis=1)
        f1[i, :width] = c1[qs, pick]
        f2[i, :width] = c2[qs, pick]
    if not np.isfinite(f1[0, quota]):
        return None
    alloc = np.zeros(n, dtype=np.int64)
    q = quota
    for i in range(n):
        a = opts[i]
        keep = a <= q
        a = a[keep]
        c1 = dev1[i][keep] + f1[i + 1][q - a]
        c2 = dev2[i][keep] + f2[i + 1][q - a]
        ok = (c1 <= f1[i, q] + NOISE) & (c2 <= f2[i, q] + NOISE)
        alloc[i] = a[ok].max()
        q -= int(alloc[i])
    return alloc


def _milp(quota: int, cap: np.ndarray, target: np.ndarray, m: int) -> np.ndarray:
    """The three stages with HiGHS; raises SolverError when stage 1 or 2 does not solve.

    Variables per college that can open (cap ≥ m): binary y (open), integer s (places above
    m, ``s ≤ (cap − m)·y``) and continuous unit variables u_j ∈ [0, 1], j = m+1 … cap, with
    ``Σ_j u_j = s``. A = m·y + s. The costs are written exactly: a closed college costs t
    (and t²); an open one |m − t| (and (m − t)²) plus, for its j-th place, the increment
    |j − t| − |j − 1 − t| (and 2j − 1 − 2t). Both increments are non-decreasing in j, so for
    a given s the cheapest u are the first s units and the cost is exact at every integer A.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array, vstack

    n = len(cap)
    can = np.flatnonzero(cap >= m)
    k = len(can)
    tops = np.minimum(cap[can], quota)
    units = (tops - m).astype(np.int64)
    nu = int(units.sum())
    # variable layout: y (k), s (k), u (nu)
    owner = np.repeat(np.arange(k), units)
    start = np.repeat(np.cumsum(units) - units, units)
    j = (np.arange(nu) - start + m + 1).astype(float)
    t_open = target[can]
    tu = t_open[owner]
    inc1 = np.abs(j - tu) - np.abs(j - 1 - tu)
    inc2 = 2 * j - 1 - 2 * tu
    base1 = np.abs(m - t_open) - t_open
    base2 = (m - t_open) ** 2 - t_open ** 2
    cost1 = np.concatenate((base1, np.zeros(k), inc1))
    cost2 = np.concatenate((base2, np.zeros(k), inc2))
    nv = 2 * k + nu
    r, c, v, lo, hi = [], [], [], [], []
    # Σ (m·y + s) = quota
    r += [0] * (2 * k)
    c += list(range(2 * k))
    v += [float(m)] * k + [1.0] * k
    lo.append(quota)
    hi.append(quota)
    # s − (top − m)·y ≤ 0
    for i in range(k):
        r += [1 + i, 1 + i]
        c += [k + i, i]
        v += [1.0, -float(units[i])]
        lo.append(-np.inf)
        hi.append(0.0)
    # Σ_j u_j − s = 0
    row0 = 1 + k
    r += list(row0 + owner) + [row0 + i for i in range(k)]
    c += list(2 * k + np.arange(nu)) + [k + i for i in range(k)]
    v += [1.0] * nu + [-1.0] * k
    lo += [0.0] * k
    hi += [0.0] * k
    nrows = 1 + 2 * k
    a = coo_array((v, (r, c)), shape=(nrows, nv)).tocsr()
    integrality = np.concatenate((np.ones(2 * k), np.zeros(nu)))
    bounds = Bounds(np.zeros(nv), np.concatenate((np.ones(k), units.astype(float), np.ones(nu))))
    options = {"mip_rel_gap": 0.0, "time_limit": MILP_TIME_LIMIT, "presolve": True}

    def solve(cost: np.ndarray, mat, low: list, high: list, bnd: Bounds, stage: int) -> np.ndarray:
        res = milp(cost, constraints=LinearConstraint(mat, low, high), integrality=integrality,
                   bounds=bnd, options=options)
        if res.status == 2:
            # Every stage's model holds a known integer solution, so "infeasible" is HiGHS'
            # presolve tripping over a bound within 1e-6 of the optimum: solve without it.
            res = milp(cost, constraints=LinearConstraint(mat, low, high),
                       integrality=integrality, bounds=bnd, options={**options, "presolve": False})
        if res.status != 0 or res.x is None:
            raise SolverError(f"stage {stage}: HiGHS status {res.status}: {res.message}")
        return res.x

    def places(x: np.ndarray) -> np.ndarray:
        alloc = np.zeros(n, dtype=np.int64)
        alloc[can] = np.round(m * x[:k] + x[k:2 * k]).astype(np.int64)
        return alloc

    # The model's costs leave out the constants Σt and Σt² (every college counted closed).
    # The stage bounds come from the exact objectives of the integer solutions found, not
    # from HiGHS' objective values: those carry its feasibility tolerances, and a bound a
    # hair below the integer optimum makes the next stage infeasible.
    const1, const2 = float(target.sum()), float((target * target).sum())
    best1 = objective(places(solve(cost1, a, lo, hi, bounds, 1)), target)[0]
    rhs1 = best1 - const1 + TIE
    a2 = vstack([a, coo_array(cost1[None, :])]).tocsr()
    alloc = places(solve(cost2, a2, lo + [-np.inf], hi + [rhs1], bounds, 2))
    best2 = objective(alloc, target)[1]
    rhs2 = best2 - const2 + TIE
    # Stage 3, rule (3) exactly: in code order, give each college the most places any
    # allocation within both windows allows, then fix it.
    a3 = vstack([a2, coo_array(cost2[None, :])]).tocsr()
    lo3, hi3 = lo + [-np.inf, -np.inf], hi + [rhs1, rhs2]
    lb, ub = bounds.lb.copy(), bounds.ub.copy()
    left = quota
    for i in range(k):
        cur = int(alloc[can[i]])
        if i < k - 1 and cur < min(int(tops[i]), left):
            gain = np.zeros(nv)
            gain[i], gain[k + i] = -float(m), -1.0
            try:
                trial = places(solve(gain, a3, lo3, hi3, Bounds(lb, ub), 3))
            except SolverError:  # keep the allocation already within both windows
                trial = alloc
            o1, o2 = objective(trial, target)
            if (int(trial[can[i]]) > cur and o1 <= best1 + TIE and o2 <= best2 + TIE
                    and np.all(trial[can[:i]] == alloc[can[:i]])):
                alloc, cur = trial, int(trial[can[i]])
        if cur == 0:
            ub[i] = ub[k + i] = 0.0
        else:
            lb[i] = ub[i] = 1.0
            lb[k + i] = ub[k + i] = float(cur - m)
        left -= cur
    return alloc


def _dp_checked(quota: int, cap: np.ndarray, target: np.ndarray, m: int) -> np.ndarray:
    got = _dp(quota, cap, target, m)
    if got is None:  # min_group_feasible said a solution exists: a bug, not a data issue
        raise AssertionError(f"dynamic programme found no allocation of {quota} places "
                             f"though the minimum group {m} is feasible")
    return got


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
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
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
    method_used, relaxed, message, solver_error = "greedy", False, None, None
    alloc = relaxed_alloc
    if m > 1 and np.any((relaxed_alloc > 0) & (relaxed_alloc < m)):
        if not min_group_feasible(quota, cap, m):
            method_used, relaxed = "relaxed", True
            message = (f"minimum group {m} cannot be met by any set of colleges within their "
                       "capacities; allocated without the rule")
        else:
            sizes = 1 + np.maximum(0, np.minimum(cap, quota) - m + 1)
            cells = (quota + 1) * int(sizes.sum())
            use_dp = method == "dp" or (method == "auto" and cells <= DP_LIMIT)
            if use_dp:
                alloc, method_used = _dp_checked(quota, cap, target, m), "dp"
            else:
                try:
                    alloc, method_used = _milp(quota, cap, target, m), "milp"
                except SolverError as err:  # the solver never fails the run (§6)
                    alloc, method_used = _dp_checked(quota, cap, target, m), "fallback"
                    solver_error = str(err)
                    message = (f"MILP solver failed ({err}); allocated by the dynamic "
                               "programme instead (exact: the same optimum)")
    out = np.empty(n, dtype=np.int64)
    out[order] = alloc
    return Allocation(out, target_in, 0, method_used, relaxed, message, solver_error)


__all__ = ["Allocation", "allocate", "objective", "targets", "min_group_feasible", "DP_LIMIT",
           "METHODS", "SolverError"]
