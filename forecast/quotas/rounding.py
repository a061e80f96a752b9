"""Largest-remainder rounding (methodology.md §5).

The rules, exactly as the methodology states them:

* the total is ``⌊Σ x + 0.5⌋`` (or a given total, for the budget step);
* each item first gets ``⌊x + 1e-9⌋`` (the 1e-9 keeps 2.9999999999 from becoming 2);
* the remaining places go one each to the largest remainders; remainders within 1e-9 of each
  other are equal, and equal remainders are ordered by key (text order, so ``"15.01.05"``
  before ``"15.02.01"``).

Readings of the edge cases (the methodology is silent on them):

* "within 1e-9 are equal" is not transitive; remainders are sorted in decreasing order and
  cut into runs where each value is within 1e-9 of the run's first (largest) value; a run is
  ordered by key.
* A remainder may be slightly negative (``x = 2.9999999995`` floors to 3); it is used as is.
* Float noise could make the places left over negative or larger than the number of items;
  then places are taken back from the smallest remainders (largest key first among equal ones,
  never below 0), or handed out in further rounds of the same order.

Examples
--------
>>> largest_remainder([1.5, 1.5, 1.0], ["b", "a", "c"]).tolist()   # total ⌊4.0 + 0.5⌋ = 4
[1, 2, 1]
>>> largest_remainder([2.2, 0.4, 0.4], ["x", "y", "z"]).tolist()   # total 3, y before z
[2, 1, 0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: added before flooring, and the width within which remainders are equal
EPS = 1e-9


def _order(rem: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """Indices by decreasing remainder, runs of near-equal remainders ordered by key."""
    n = len(rem)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    by_rem = sorted(range(n), key=lambda i: (-rem[i], keys[i]))
    run = np.empty(n, dtype=np.int64)
    start_value = rem[by_rem[0]]
    r = 0
    for pos, i in enumerate(by_rem):
        if rem[i] < start_value - EPS:
            r += 1
            start_value = rem[i]
        run[pos] = r
    final = sorted(range(n), key=lambda pos: (run[pos], keys[by_rem[pos]]))
    return np.array([by_rem[pos] for pos in final], dtype=np.int64)


def largest_remainder(
    values: Sequence[float] | np.ndarray,
    keys: Sequence[str],
    total: int | None = None,
) -> np.ndarray:
    """Round non-negative ``values`` to integers summing to ``total`` by largest remainders.

    Parameters
    ----------
    values : sequence of float
        Non-negative amounts (raw quotas).
    keys : sequence of str
        Tie-break keys (programme codes), compared as text.
    total : int, optional
        The total to reach; default ``⌊Σ values + 0.5⌋``.

    Returns
    -------
    numpy.ndarray of int64, in the order of ``values``.

    Examples
    --------
    >>> largest_remainder([0.5, 0.5], ["02", "01"], total=1).tolist()
    [0, 1]
    """
    x = np.asarray(values, dtype=float)
    keys = [str(k) for k in keys]
    if len(keys) != len(x):
        raise ValueError("values and keys differ in length")
    if x.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError("largest_remainder needs finite non-negative values")
    if total is None:
        total = int(np.floor(x.sum() + 0.5))
    out = np.floor(x + EPS).astype(np.int64)
    rem = x - out
    left = int(total) - int(out.sum())
    order = _order(rem, keys)
    if left > 0:
        rounds, extra = divmod(left, len(x))
        out += rounds
        out[order[:extra]] += 1
    elif left < 0:
        for i in order[::-1]:
            if left == 0:
                break
            take = min(int(out[i]), -left)
            out[i] -= take
            left += take
    return out


__all__ = ["largest_remainder", "EPS"]
