"""Forecast reconciliation over the hierarchy total → section → cell (methodology.md §2).

Nodes are ordered ``[total, section_0 … section_{m−1}, cell_0 … cell_{n−1}]``; the summing
matrix S ((1+m+n) × n, sparse) maps cells to all nodes. Reconciled forecasts are coherent:
every section is the sum of its cells and the total the sum of the sections.

Methods (forecast.params.RECONCILE_METHODS):

* ``mint_shrink`` (default): MinT of Wickramasuriya, Athanasopoulos & Hyndman (2019) with
  W = λ·diag(Σ̂) + (1−λ)·Σ̂, Σ̂ the (uncentred) covariance of the base forecasts' one-step
  backtest residuals and λ the Schäfer–Strimmer (2005) shrinkage intensity, computed as in
  the R package ``hts`` (``shrink.estim``). Fewer than two residual vectors fall back to
  ``wls_struct``.
* ``wls_struct``: W = diag(S·1) (number of cells under each node).
* ``ols``: W = I.
* ``bottom_up``: cells as forecast, aggregated.
* ``top_down``: the total split by forecast proportions (Athanasopoulos et al. 2009):
  sections by their share of the sections' base forecasts, cells by their share within the
  section (equal shares where the base forecasts of the children sum to 0).

MinT is computed in its projection form ỹ = ŷ − W·Cᵀ(C·W·Cᵀ)⁻¹·C·ŷ with C = [I, −A] the
(1+m) aggregation constraints — algebraically the same as S(SᵀW⁻¹S)⁻¹SᵀW⁻¹ŷ but needing
only a (1+m)×(1+m) solve. Σ̂ is kept as diagonal + low rank (k residual vectors), so no
n×n matrix is ever formed: thousands of cells reconcile in milliseconds.

Non-negativity (``nonnegative=True``): cells that come out negative are fixed at 0 and the
projection is repeated over the remaining cells (fixing a node = removing its row and column
from W, so the correction does not move it), up to 10 rounds; any negative still left is set
to 0 and the hierarchy re-aggregated bottom-up (always, so that aggregates are exact sums).

Examples
--------
>>> import numpy as np
>>> h = Hierarchy(np.array([0, 0, 1]), 2)
>>> base = np.array([[10.0], [6.0], [3.0], [2.0], [3.0], [3.0]])
>>> reconcile(base, h, "ols").ravel().round(4).tolist()
[9.3846, 6.0769, 3.3077, 2.5385, 3.5385, 3.3077]
>>> reconcile(base, h, "bottom_up").ravel().tolist()
[8.0, 5.0, 3.0, 2.0, 3.0, 3.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from forecast.params import check_reconcile


@dataclass(frozen=True)
class Hierarchy:
    """Two-level hierarchy: each cell belongs to one section (``parent[j]`` in 0 … m−1)."""

    parent: np.ndarray
    n_sections: int

    @property
    def n_cells(self) -> int:
        return int(len(self.parent))

    @property
    def n_nodes(self) -> int:
        return 1 + self.n_sections + self.n_cells

    def aggregation(self) -> sp.csr_matrix:
        """A ((1+m) × n): total and section rows of S."""
        n, m = self.n_cells, self.n_sections
        rows = np.concatenate([np.zeros(n, int), 1 + np.asarray(self.parent, int)])
        cols = np.concatenate([np.arange(n), np.arange(n)])
        return sp.csr_matrix((np.ones(2 * n), (rows, cols)), shape=(1 + m, n))

    def summing_matrix(self) -> sp.csr_matrix:
        """S ((1+m+n) × n)."""
        return sp.vstack([self.aggregation(), sp.identity(self.n_cells, format="csr")],
                         format="csr")

    def aggregate(self, cells: np.ndarray) -> np.ndarray:
        """All nodes from cell values (cells × columns)."""
        cells = np.asarray(cells, float)
        return np.vstack([self.aggregation() @ cells, cells])


def shrink_covariance(residuals: np.ndarray):
    """Schäfer–Strimmer shrinkage of the uncentred residual covariance, as diag + low rank.

    Parameters
    ----------
    residuals : array (k, N)
        k residual vectors over N nodes (NaN counts as 0).

    Returns
    -------
    diag : array (N,), low_rank : array (N, k), lam : float
        W = diag(diag) + low_rank @ low_rankᵀ = λ·diag(Σ̂) + (1−λ)·Σ̂.
    """
    x = np.nan_to_num(np.asarray(residuals, float))
    k = x.shape[0]
    var = (x * x).sum(axis=0) / k
    sd = np.sqrt(var)
    ok = sd > 0
    xs = np.divide(x, sd, out=np.zeros_like(x), where=ok[None, :])
    # hts::shrink.estim: v = (crossprod(xs^2) - crossprod(xs)^2 / k) / (k (k-1)), diag 0;
    # lambda = sum(v) / sum((corm - I)^2). All pair sums via k×k Gram matrices.
    sq = xs * xs
    sum_sq_all = (sq.sum(axis=1) ** 2).sum()   # Σ_ij Σ_t xs²_ti xs²_tj
    sum_sq_diag = (sq * sq).sum()
    g = xs @ xs.T
    cross_all = (g * g).sum()            # Σ_ij (Σ_t xs_ti xs_tj)²
    cross_diag = (sq.sum(axis=0) ** 2).sum()
    v_sum = ((sum_sq_all - sum_sq_diag) - (cross_all - cross_diag) / k) / (k * (k - 1))
    d_sum = (cross_all - cross_diag) / (k * k)
    lam = 1.0 if d_sum <= 0 else float(min(1.0, max(0.0, v_sum / d_sum)))
    low = np.sqrt((1.0 - lam) / k) * x.T
    return lam * var, low, lam


def _project(base, a_mat, diag, low, fixed=None):
    """ỹ = ŷ − WCᵀ(CWCᵀ)⁻¹Cŷ with W = diag + low·lowᵀ (rows/cols of ``fixed`` removed)."""
    n_agg = a_mat.shape[0]
    n_nodes = base.shape[0]
    c = sp.hstack([sp.identity(n_agg, format="csr"), -a_mat], format="csr")
    ct = c.T.tocsr()
    if fixed is not None:
        keep = (~fixed).astype(float)
        diag = diag * keep
        low = low * keep[:, None] if low is not None else None
    wct = sp.diags(diag) @ ct
    wct = wct.toarray() if sp.issparse(wct) else np.asarray(wct)
    if low is not None and low.size:
        wct = wct + low @ np.asarray((ct.T @ low).T)
    cwct = c @ wct
    resid = c @ base
    try:
        corr = np.linalg.solve(cwct, resid)
    except np.linalg.LinAlgError:
        corr = np.linalg.lstsq(cwct, resid, rcond=None)[0]
    out = base - wct @ corr
    assert out.shape[0] == n_nodes
    return out


def _weights(method, hierarchy, residuals, W):
    n_nodes = hierarchy.n_nodes
    if W is not None:
        if isinstance(W, tuple):
            return np.asarray(W[0], float), (None if W[1] is None else np.asarray(W[1], float))
        return None, np.asarray(W, float)
    if method == "mint_shrink" and residuals is not None and np.asarray(residuals).shape[0] >= 2:
        diag, low, _ = shrink_covariance(residuals)
        # a floor keeps C W Cᵀ invertible when residuals are degenerate
        floor = 1e-9 * max(float(diag.max(initial=0.0)), float((low * low).sum(axis=1).max(
            initial=0.0)), 1e-12)
        return diag + floor, low
    if method == "ols":
        return np.ones(n_nodes), None
    # wls_struct (and mint_shrink without residuals)
    a = hierarchy.aggregation()
    counts = np.concatenate([np.asarray(a.sum(axis=1)).ravel(), np.ones(hierarchy.n_cells)])
    return counts, None


def reconcile(base: np.ndarray, hierarchy: Hierarchy, method: str = "mint_shrink", *,
              residuals: np.ndarray | None = None, W=None,
              nonnegative: bool = True) -> np.ndarray:
    """Coherent forecasts for all nodes.

    Parameters
    ----------
    base : array (n_nodes, c)
        Base forecasts, node order total, sections, cells; each column (year × scenario)
        reconciled on its own (the same W for all).
    hierarchy : Hierarchy
    method : str
        One of forecast.params.RECONCILE_METHODS.
    residuals : array (k, n_nodes), optional
        One-step backtest residuals of the base forecasts (for ``mint_shrink``).
    W : array (n_nodes, n_nodes) or tuple (diag, low_rank), optional
        Explicit error covariance for the MinT family, overriding ``residuals``.
    nonnegative : bool
        Keep cells ≥ 0 (see module docstring).

    Returns
    -------
    array (n_nodes, c)
    """
    check_reconcile(method)
    base = np.asarray(base, float)
    squeeze = base.ndim == 1
    if squeeze:
        base = base[:, None]
    m = hierarchy.n_sections
    n0 = 1 + m
    if method == "bottom_up":
        out = hierarchy.aggregate(base[n0:])
    elif method == "top_down":
        out = _top_down(base, hierarchy)
    else:
        diag, low = _weights(method, hierarchy, residuals, W)
        a_mat = hierarchy.aggregation()
        if diag is None:      # dense W given
            out = _project_dense(base, a_mat, low)
        else:
            out = _project(base, a_mat, diag, low)
            if nonnegative and (out[n0:] < 0).any():
                out = _nonneg(base, out, a_mat, diag, low, n0)
    if nonnegative:
        # re-aggregating the clipped cells also makes coherence exact to rounding
        out = hierarchy.aggregate(np.maximum(out[n0:], 0.0))
    return out[:, 0] if squeeze else out


def _nonneg(base, out, a_mat, diag, low, n0):
    out = out.copy()
    for j in np.flatnonzero((out[n0:] < 0).any(axis=0)):
        col = base[:, j:j + 1].copy()
        fixed = np.zeros(base.shape[0], bool)
        cur = out[:, j:j + 1]
        for _ in range(10):
            neg = np.flatnonzero(cur[n0:, 0] < 0) + n0
            if not neg.size:
                break
            fixed[neg] = True
            col[fixed] = 0.0
            cur = _project(col, a_mat, diag, low, fixed)
        out[:, j:j + 1] = cur
    return out


def _project_dense(base, a_mat, w):
    n_agg = a_mat.shape[0]
    c = np.hstack([np.eye(n_agg), -a_mat.toarray()])
    wct = w @ c.T
    return base - wct @ np.linalg.solve(c @ wct, c @ base)


def _top_down(base, h: Hierarchy):
    m = h.n_sections
    parent = np.asarray(h.parent, int)
    total = base[0]
    sec = np.maximum(base[1:1 + m], 0.0)
    cells = np.maximum(base[1 + m:], 0.0)
    sec_sum = sec.sum(axis=0)
    sec_share = np.where(sec_sum > 0, sec / np.where(sec_sum > 0, sec_sum, 1.0), 1.0 / max(m, 1))
    a = h.aggregation()[1:]
    within = a @ cells                       # per section sum of cells
    n_child = np.bincount(parent, minlength=m).astype(float)
    denom = within[parent]
    cell_share = np.where(denom > 0, cells / np.where(denom > 0, denom, 1.0),
                          1.0 / np.maximum(n_child[parent], 1.0)[:, None])
    bottom = np.maximum(total, 0.0)[None, :] * sec_share[parent] * cell_share
    return h.aggregate(bottom)


__all__ = ["Hierarchy", "reconcile", "shrink_covariance"]
