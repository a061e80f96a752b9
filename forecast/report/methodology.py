"""The text of the ``Методика`` sheet: methodology.md restated with this run's parameter values.

:func:`methodology_lines` returns (style, text) pairs; style is ``h1``, ``h2``, ``p`` (plain)
or ``f`` (a formula line). Parameter values come from the run's :class:`~forecast.config.Config`.

Examples
--------
>>> from forecast.config import config_from_mapping
>>> cfg = config_from_mapping({"survey": {"paths": ["."]}}, base_dir="/tmp")
>>> lines = methodology_lines(cfg, 2026, ["base"], "ru")
>>> any("c = 0.7" in t for _, t in lines)
True
"""

from __future__ import annotations

import math

from forecast.demand import ELASTICITY_PRIOR


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def methodology_lines(cfg, survey_year: int, scenarios: list[str], lang: str = "ru",
                      demand=None) -> list[tuple[str, str]]:
    """Lines of the methodology sheet with the parameter values of ``cfg``; with the run's
    :class:`~forecast.demand.DemandResult` ``demand``, also the variants' elasticity β per
    industry (§2) and the regional demand with and without the age answers (§3)."""
    f, d, q = cfg.forecast, cfg.demand, cfg.quotas
    T, H = int(survey_year), int(f.horizon)
    v = dict(T=T, T1=T + 1, TH=T + H, H=H, levels=_fmt(f.levels), rec=f.reconcile,
             scen=", ".join(scenarios) or "—", mx=_fmt(d.max_exit_rate), win=_fmt(d.retirement_window),
             oth=_fmt(d.other_exit_rate), dft=_fmt(d.default_exit_rate), vfs=_fmt(d.vacancy_fill_share),
             c=_fmt(q.coverage_share), e=_fmt(q.default_employment_rate), dd=_fmt(q.default_dropout),
             mg=_fmt(q.min_group), B=_fmt(q.total_places), sc=_fmt(q.signal_change),
             sh=_fmt(q.signal_min_headcount))
    text = _RU if lang != "en" else _EN
    lines = [(style, line.format(**v)) for style, line in text]
    if demand is not None:
        extra = [(st, t.replace("{dft}", v["dft"])) for st, t in _demand_lines(demand, lang)]
        at = next((i for i, (st, _) in enumerate(lines) if st == "h2" and _starts(_, "4.")),
                  len(lines))
        lines[at:at] = extra
    return lines


def _starts(text: str, prefix: str) -> bool:
    return text.startswith(prefix)


def _demand_lines(demand, lang: str) -> list[tuple[str, str]]:
    """β per industry and the age answers' effect, as lines (numbers of this run)."""
    ru = lang != "en"
    out: list[tuple[str, str]] = []
    el = getattr(demand, "elasticities", None)
    if el is not None and len(el):
        b = f"{float(el['beta_pooled'].iloc[0]):.3f}"
        bd = (f"{float(el['beta_pooled_data'].iloc[0]):.3f}"
              if "beta_pooled_data" in el and math.isfinite(el["beta_pooled_data"].iloc[0]) else "—")
        mu, tau = ELASTICITY_PRIOR
        out.append(("p", f"Эластичность численности отрасли по показателю сценария β[i] "
                         f"(собственная оценка, приближённая к общей β = {b}: оценка по данным "
                         f"{bd}, взвешенная с априорной {mu} ± {tau}; не меньше 0); вариант "
                         f"сценария = базовый путь · (x_v/x_base)^β[i]:" if ru else
                         f"Elasticity of industry employment to the scenario indicator β[i] "
                         f"(own estimate shrunk towards the pooled β = {b}: the data's {bd} "
                         f"weighed against a prior of {mu} ± {tau}; never below 0); a variant = "
                         f"the base path · (x_v/x_base)^β[i]:"))
        out.append(("f", ";  ".join(f"{r.okved_section}: β = {r.beta:.3f}"
                                    for r in el.itertuples())))
    age = getattr(demand, "age_effect", None)
    if age is not None and len(age):
        for scen, g in age.groupby("scenario", sort=False):
            a, b = float(g["demand"].sum()), float(g["demand_without_age"].sum())
            y0, y1 = int(g["year"].min()), int(g["year"].max())
            share = f"{(a - b) / b:+.1%}" if b > 0 else "—"
            sep = " " if ru else ","

            def n(x, sign=""):
                return f"{x:{sign},.0f}".replace(",", sep)

            if ru:
                line = (f"Влияние ответов о возрасте (сценарий {scen}): потребность {y0}–{y1} "
                        f"с ответами о работниках 55+ — {n(a)}, без них (r = {{dft}} во всех "
                        f"ячейках) — {n(b)}, разница {n(a - b, '+')} ({share}).")
            else:
                line = (f"Effect of the age answers (scenario {scen}): demand {y0}–{y1} with "
                        f"the 55+ answers {n(a)}, without them (r = {{dft}} in every cell) "
                        f"{n(b)}, difference {n(a - b, '+')} ({share}).")
            out.append(("p", line))
    return out


_RU: list[tuple[str, str]] = [
    ("h1", "Методика прогноза потребности в кадрах и расчёта КЦП (меры 12 и 13)"),
    ("p", "Обозначения: T = {T} — год обследования (данные на ноябрь T); прогнозные годы "
          "t = {T1} … {TH} (горизонт H = {H}); i — отрасль (раздел ОКВЭД2), p — профессия, "
          "l — уровень образования, s — образовательная программа СПО, k — образовательная организация."),
    ("h2", "1. Панель обследований"),
    ("p", "Для каждой волны и ячейки (i, p, l) суммируются ответы работодателей с весами w "
          "(постстратификация по контрольным численностям разделов; без них w = 1):"),
    ("f", "E[i,p,l,T] = Σ w·численность;  V = Σ w·вакансии;  O = Σ w·работники 55+;  N[t] = Σ w·потребность на год t"),
    ("h2", "2. Прогноз численности E[i,p,l,t]"),
    ("p", "Сверху вниз: численность отрасли прогнозируется по её истории и сценарию "
          "(варианты: {scen}); доли профессий в отрасли проецируются (неотрицательны, в сумме 1): "
          "E_td[i,p,l,t] = E[i,t] · s[i,p,l,t]."),
    ("p", "Снизу вверх: заявленная работодателями потребность N корректируется коэффициентом "
          "реализации ρ_h (факт ÷ заявлено по прошлым волнам, по горизонту h, с приближением к "
          "общему значению при малом числе данных): E_bu[t] = E_bu[t−1] + ρ_h·N[t] − R[t]."),
    ("p", "Оценки объединяются с весами по ретроспективной проверке и согласуются так, чтобы ячейки "
          "в сумме давали отрасль, а отрасли — регион (метод согласования: {rec}). Прогноз не "
          "отрицателен; интервалы прогноза: {levels} %. Ширина интервалов — по ошибкам "
          "ретроспективных прогнозов прошлых волн и по выборочной ошибке численности года T "
          "(шире там, где ответили немногие работодатели)."),
    ("h2", "3. Дополнительная потребность D[i,p,l,t]"),
    ("f", "Расширение: X[t] = E[t] − E[t−1] (может быть отрицательным)"),
    ("f", "Замещение выбытия: R[t] = r · E[t−1],  r = min({mx}; O[T]/E[T] / {win} + {oth}); "
          "если возраст не указан или E[T] = 0, r = {dft}"),
    ("f", "Вакансии: V[T] · {vfs} — только в первом прогнозном году {T1}"),
    ("f", "D[t] = max(0; X[t] + R[t]) + [t = {T1}] · V[T] · {vfs}  (максимум берётся по каждой ячейке)"),
    ("p", "Потребность профессии, отрасли, региона — сумма D её ячеек. Интервалы агрегатов — "
          "собственные (границы не складываются)."),
    ("h2", "4. От потребности к выпускникам программы"),
    ("p", "Таблица соответствия профессия → программа с весами m[p,s] (сумма весов по программам "
          "уровня l равна 1). КЦП получают только программы СПО-КРС и СПО-ССЗ; потребность ВО/ПО/БО "
          "и профессий без программы нужного уровня показывается как неучтённая."),
    ("f", "G[s,t] = Σ_p m[p,s] · D[p,l(s),t] · c / e[s],   c = {c};  e[s] — доля трудоустройства "
          "выпускников (если не указана — {e})"),
    ("p", "Контингент: когорта приёма y выпускается в y + ⌈L[s]/12⌉ и даёт студенты·(1 − d[s]) "
          "выпускников (отсев d[s], если не указан — {dd}); P[s,t] — выпуск года t."),
    ("f", "S[s,T] = 0;  S[s,t] = max(0; S[s,t−1] + P[s,t] − G[s,t]) для t = {T1} … g−1;  "
          "P*[s] = S[s,g−1] + P[s,g];  Gap[s] = max(0; G[s,g] − P*[s])"),
    ("h2", "5. КЦП по программе"),
    ("p", "Приём в {T1}, выпуск в g = {T1} + ⌈L[s]/12⌉ (L = 22, 34 или 46 мес.)."),
    ("f", "A_raw[s] = Gap[s] / (1 − d[s])"),
    ("p", "Округление методом наибольших остатков: итог ⌊Σ A_raw + 0,5⌋; каждой программе ⌊A_raw⌋, "
          "остальные места — по одному программам с наибольшими остатками (при равенстве — "
          "меньший код программы). Результат — КЦП расчётная A[s]."),
    ("p", "Бюджет мест B = {B}: если Σ A[s] > B, КЦП предлагаемая A'[s] — округление "
          "A[s]·B/ΣA тем же методом до ровно B (увеличения нет); сокращение = A[s] − A'[s]."),
    ("h2", "6. Распределение между организациями"),
    ("f", "Цель: target[s,k] = A'[s] · cap[s,k]·e[s,k] / Σ_k cap·e"),
    ("p", "Целочисленная задача: Σ_k A[s,k] = A'[s]; 0 ≤ A[s,k] ≤ мощность; A[s,k] = 0 или "
          "A[s,k] ≥ min({mg}; A'[s]); минимум Σ|A[s,k] − target| (затем Σ(A − target)², затем "
          "больше мест меньшему коду организации). Если мощностей не хватает, каждая организация "
          "получает свою мощность, а остаток показан как дефицит мощности."),
    ("h2", "7. Проверяемость"),
    ("p", "Листы «КЦП по программам» и «КЦП по организациям» содержат все величины расчёта "
          "(потребность года выпуска, c, e, G, P*, Gap, d, КЦП до округления) и расчёт по годам, "
          "так что любую КЦП можно пересчитать на калькуляторе. Числа в таблицах не округлены "
          "(округление — только формат отображения)."),
    ("h2", "8. Оценка прошлого прогноза"),
    ("p", "С папкой прошлогоднего расчёта ([evaluation] previous, или kadry evaluate) прогноз "
          "численности на год {T}, сделанный по обследованию T0 < {T}, сравнивается с "
          "обследованием {T} на всех уровнях (регион, отрасль, профессия, ячейка) сценария base: "
          "wMAPE = Σ|прогноз − факт| / Σ факт, смещение = Σ(прогноз − факт) / Σ факт, доля фактов "
          "внутри интервалов 80% и 95% — против прогноза «без изменений» (численность T0). "
          "Предложенная год назад КЦП сравнивается с утверждённой (КЦП прошлого года)."),
    ("h2", "9. Обновление программ"),
    ("p", "Сигналы: нет программы для профессии с потребностью; КЦП больше мощности организаций; "
          "КЦП расчётная меньше минимальной группы ({mg}); потребность программы меняется с {T1} "
          "по {TH} больше чем на {sc} (растёт или снижается); новая профессия (впервые в волне "
          "{T} или предыдущей, не меньше {sh} чел. в {T})."),
]


_EN: list[tuple[str, str]] = [
    ("h1", "Staffing demand forecast and admission quota methodology (measures 12 and 13)"),
    ("p", "Notation: T = {T} is the survey year (data as of November T); forecast years "
          "t = {T1} … {TH} (horizon H = {H}); i industry (ОКВЭД2 section), p profession, "
          "l education level, s training programme, k college."),
    ("h2", "1. Survey panel"),
    ("p", "For each wave and cell (i, p, l) employers' answers are summed with weights w "
          "(post-stratified to the sections' control totals; w = 1 without them):"),
    ("f", "E[i,p,l,T] = Σ w·headcount;  V = Σ w·vacancies;  O = Σ w·age 55+;  N[t] = Σ w·need for year t"),
    ("h2", "2. Employment forecast E[i,p,l,t]"),
    ("p", "Top-down: industry employment is forecast from its history and the scenario "
          "(variants: {scen}); profession shares within an industry are projected (non-negative, "
          "summing to 1): E_td[i,p,l,t] = E[i,t] · s[i,p,l,t]."),
    ("p", "Bottom-up: employers' stated needs N are corrected by the realisation ratio ρ_h "
          "(realised ÷ stated in past waves, by horizon h, shrunk towards the pooled ratio where "
          "data are thin): E_bu[t] = E_bu[t−1] + ρ_h·N[t] − R[t]."),
    ("p", "The views are combined with backtest weights and reconciled so that cells add up to "
          "industries and industries to the region (method: {rec}). Forecasts are never "
          "negative; prediction intervals: {levels} %. Their width comes from the backtest "
          "errors of earlier waves and the sampling error of the survey year's headcounts "
          "(wider where few employers answered)."),
    ("h2", "3. Additional demand D[i,p,l,t]"),
    ("f", "Expansion: X[t] = E[t] − E[t−1] (may be negative)"),
    ("f", "Replacement: R[t] = r · E[t−1],  r = min({mx}; O[T]/E[T] / {win} + {oth}); "
          "without age data or with E[T] = 0, r = {dft}"),
    ("f", "Vacancies: V[T] · {vfs}, in the first forecast year {T1} only"),
    ("f", "D[t] = max(0; X[t] + R[t]) + [t = {T1}] · V[T] · {vfs}  (max taken per cell)"),
    ("p", "Demand of a profession, an industry or the region is the sum of its cells' D. "
          "Intervals of aggregates are their own (bounds do not add up)."),
    ("h2", "4. From demand to graduates per programme"),
    ("p", "The mapping profession → programme has weights m[p,s] (summing to 1 over the "
          "programmes of level l). Only СПО-КРС and СПО-ССЗ programmes receive quotas; ВО/ПО/БО "
          "demand and professions without a programme of their level are reported as unmapped."),
    ("f", "G[s,t] = Σ_p m[p,s] · D[p,l(s),t] · c / e[s],   c = {c};  e[s] the graduates' "
          "employment rate (default {e})"),
    ("p", "Pipeline: a cohort admitted in y graduates in y + ⌈L[s]/12⌉ and yields "
          "students·(1 − d[s]) graduates (dropout d[s], default {dd}); P[s,t] is year t's output."),
    ("f", "S[s,T] = 0;  S[s,t] = max(0; S[s,t−1] + P[s,t] − G[s,t]) for t = {T1} … g−1;  "
          "P*[s] = S[s,g−1] + P[s,g];  Gap[s] = max(0; G[s,g] − P*[s])"),
    ("h2", "5. Admission quota per programme"),
    ("p", "Admission in {T1}, graduation in g = {T1} + ⌈L[s]/12⌉ (L = 22, 34 or 46 months)."),
    ("f", "A_raw[s] = Gap[s] / (1 − d[s])"),
    ("p", "Largest-remainder rounding: total ⌊Σ A_raw + 0.5⌋; each programme gets ⌊A_raw⌋, the "
          "remaining places go one each to the largest remainders (ties: smaller programme code). "
          "The result is the quota needed A[s]."),
    ("p", "Budget B = {B}: if Σ A[s] > B, the proposed quota A'[s] is the same rounding of "
          "A[s]·B/ΣA to exactly B (never scaled up); shortfall = A[s] − A'[s]."),
    ("h2", "6. Allocation to colleges"),
    ("f", "target[s,k] = A'[s] · cap[s,k]·e[s,k] / Σ_k cap·e"),
    ("p", "Integer programme: Σ_k A[s,k] = A'[s]; 0 ≤ A[s,k] ≤ capacity; A[s,k] = 0 or "
          "A[s,k] ≥ min({mg}; A'[s]); least Σ|A[s,k] − target| (then Σ(A − target)², then most "
          "places to the smallest college code). If capacity is short, each college gets its "
          "capacity and the rest is shown as the capacity deficit."),
    ("h2", "7. Traceability"),
    ("p", "The quota sheets hold every quantity (demand of the graduation year, c, e, G, P*, Gap, "
          "d, raw quota) and the year-by-year chain, so any quota can be recomputed with a "
          "calculator. Numbers are unrounded (rounding is a display format only)."),
    ("h2", "8. Evaluation of last year's forecast"),
    ("p", "With last year's output folder ([evaluation] previous, or kadry evaluate) the "
          "employment forecast for {T} made from the survey of T0 < {T} is compared with the "
          "{T} survey at every level (region, industry, profession, cell) of the base scenario: "
          "wMAPE = Σ|forecast − actual| / Σ actual, bias = Σ(forecast − actual) / Σ actual, the "
          "share of actuals inside the 80% and 95% intervals — against the flat forecast "
          "(employment of T0). The quotas proposed a year ago are compared with those approved "
          "(last year's quota)."),
    ("h2", "9. Programme updates"),
    ("p", "Signals: no programme for a profession with demand; a quota above the colleges' "
          "capacity; a quota needed below the minimum group ({mg}); a programme's demand changing "
          "from {T1} to {TH} by more than {sc} (growing or declining); a new profession (first "
          "seen in wave {T} or the one before, at least {sh} people in {T})."),
]


__all__ = ["methodology_lines"]
