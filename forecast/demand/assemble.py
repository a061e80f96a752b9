"""demand.csv from the engine's result: §3 components per cell and their aggregates.

See :mod:`forecast.demand.run` for the output choices (year T rows, aggregate intervals,
row order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.columns import CONTRACT_LEVELS, DEMAND_LEVELS, demand_columns
from forecast.demand.components import demand_components
from forecast.demand.calibration import employment_halfwidth
from forecast.demand.engine import EngineResult
from forecast.demand.history import _nodes_sum
from forecast.params import DemandParams


def assemble_demand(res: EngineResult, H: int, dp: DemandParams, names: dict) -> pd.DataFrame:
    """The demand table (forecast.columns.DEMAND_COLUMNS) of every scenario and level."""
    h = res.history
    o = res.origins[-1]
    k = o.k
    T = int(h.years[-1])
    e0 = np.nan_to_num(h.e[:, k])
    vac0 = h.vac[:, k]
    years = np.arange(T, T + H + 1)
    frames = []
    q_d = res.calibration.demand
    keys = {
        "cell": h.keys.assign(profession=h.keys["profession_code"].map(names).fillna("")),
        "profession": h.profs.assign(okved_section="",
                                     profession=h.profs["profession_code"].map(names)
                                     .fillna("")),
        "section": pd.DataFrame({"okved_section": h.sections, "profession_code": "",
                                 "education": "", "profession": ""}),
        "total": pd.DataFrame({"okved_section": [""], "profession_code": [""],
                               "education": [""], "profession": [""]}),
    }
    for scen in res.scenarios:
        rec = o.reconciled[scen]
        cells = rec[1 + h.m:]
        path = np.hstack([e0[:, None], cells])
        x, r, v, d = demand_components(path, h.rates[:, k], vac0, dp)
        parts = {"employment": path, "expansion": x, "replacement": r, "vacancies": v,
                 "demand": d}
        agg = {name: dict(zip(("total", "section", "profession"), _nodes_sum(h, a)))
               for name, a in parts.items()}
        for name, a in parts.items():
            agg[name]["cell"] = a
        for level in DEMAND_LEVELS:
            n_nodes = len(keys[level])
            sd = o.sd[level]
            sd1 = np.nan_to_num(sd[:, :1])
            emp = agg["employment"][level]
            block = keys[level].loc[np.repeat(np.arange(n_nodes), H + 1)].reset_index(drop=True)
            block.insert(0, "level", level)
            block.insert(0, "scenario", scen)
            block["year"] = np.tile(years, n_nodes)
            block["employment"] = emp.ravel()
            half_e = employment_halfwidth(res, o, level)            # nodes × H × L
            for j, lv in enumerate(res.levels):  # the contract's 80/95 and any other level
                half = np.hstack([np.zeros((n_nodes, 1)), half_e[:, :, j]])
                block[f"employment_lo_{lv}"] = np.maximum(emp - half, 0.0).ravel()
                block[f"employment_hi_{lv}"] = (emp + half).ravel()
            for name in ("expansion", "replacement", "vacancies", "demand"):
                a = np.hstack([np.full((n_nodes, 1), np.nan), agg[name][level]])
                block[name] = a.ravel()
            dd = agg["demand"][level]
            # demand bounds at 80 % (the contract's) and at every level beyond 80/95
            for j, lv in enumerate(res.levels):
                if lv in CONTRACT_LEVELS and lv != 80:
                    continue
                half = q_d[level][:, j][None, :] * sd1
                block[f"demand_lo_{lv}"] = np.hstack([np.full((n_nodes, 1), np.nan),
                                                      np.maximum(dd - half, 0.0)]).ravel()
                block[f"demand_hi_{lv}"] = np.hstack([np.full((n_nodes, 1), np.nan),
                                                      dd + half]).ravel()
            frames.append(block)
    out = pd.concat(frames, ignore_index=True)
    scen_rank = {s: i for i, s in enumerate(res.scenarios)}
    lvl_rank = {s: i for i, s in enumerate(DEMAND_LEVELS)}
    out["_s"] = out["scenario"].map(scen_rank)
    out["_l"] = out["level"].map(lvl_rank)
    out = out.sort_values(["_s", "_l", "okved_section", "profession_code", "education",
                           "year"], kind="mergesort")
    out = out[list(demand_columns(res.levels))].reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return out


__all__ = ["assemble_demand"]
