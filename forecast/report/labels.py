"""Sheet names, column headers and captions of the workbook and plots, Russian and English.

The one place for every user-facing label. :func:`sheet`, :func:`col` and :func:`text` pick
the language (``ru`` default, ``en``); an unknown column key falls back to the key itself,
so a new column never breaks the workbook.

Examples
--------
>>> sheet("summary", "ru"), sheet("summary", "en")
('Сводка', 'Summary')
>>> col("demand", "ru")
'Потребность'
>>> col("no_such_column", "en")
'no_such_column'
"""

from __future__ import annotations

#: sheet key → (ru, en), in the workbook's order (interfaces.md)
SHEETS: dict[str, tuple[str, str]] = {
    "summary": ("Сводка", "Summary"),
    "by_profession": ("Потребность по профессиям", "Demand by profession"),
    "by_industry": ("Потребность по отраслям", "Demand by industry"),
    "cells": ("Профессия × отрасль", "Profession × industry"),
    "quotas_programmes": ("КЦП по программам", "Quotas by programme"),
    "quotas_colleges": ("КЦП по организациям", "Quotas by college"),
    "signals": ("Обновление программ", "Programme updates"),
    "accuracy": ("Качество прогноза", "Forecast accuracy"),
    # methodology §8 names it "Evaluation of last year's forecast": 34 characters, past the
    # 31 that Excel allows in a sheet name
    "evaluation": ("Оценка прошлого прогноза", "Evaluation of last forecast"),
    "issues": ("Проверка данных", "Data issues"),
    "methodology": ("Методика", "Methodology"),
}

#: sheet key → (ru, en) of the national workbook ``national_<T>.xlsx`` (interfaces.md)
NATIONAL_SHEETS: dict[str, tuple[str, str]] = {
    "summary": ("Сводка", "Summary"),
    "by_region": ("Потребность по регионам", "Demand by region"),
    "by_profession": ("Потребность по профессиям (РФ)", "Demand by profession (RF)"),
    "quotas": ("КЦП по регионам", "Quotas by region"),
    "issues": ("Проверка данных", "Data issues"),
    "methodology": ("Методика", "Methodology"),
}

#: column key → (ru, en)
COLUMNS: dict[str, tuple[str, str]] = {
    "scenario": ("Сценарий", "Scenario"),
    "level": ("Уровень", "Level"),
    "okved_section": ("Раздел ОКВЭД2", "ОКВЭД2 section"),
    "section_name": ("Отрасль", "Industry"),
    "profession_code": ("Код профессии", "Profession code"),
    "profession": ("Профессия", "Profession"),
    "education": ("Образование", "Education"),
    "year": ("Год", "Year"),
    "employment": ("Численность", "Employment"),
    "employment_T": ("Численность {T} (факт)", "Employment {T} (survey)"),
    "employment_last": ("Численность {Y}", "Employment {Y}"),
    "employment_lo_80": ("Численность, нижн. 80%", "Employment, lower 80%"),
    "employment_hi_80": ("Численность, верхн. 80%", "Employment, upper 80%"),
    "employment_lo_95": ("Численность, нижн. 95%", "Employment, lower 95%"),
    "employment_hi_95": ("Численность, верхн. 95%", "Employment, upper 95%"),
    "expansion": ("Расширение", "Expansion"),
    "replacement": ("Замещение выбытия", "Replacement"),
    "vacancies": ("Вакансии", "Vacancies"),
    "demand": ("Потребность", "Demand"),
    "demand_year": ("Потребность {Y}", "Demand {Y}"),
    "demand_total": ("Потребность {A}–{B}, всего", "Demand {A}–{B}, total"),
    "expansion_total": ("в т.ч. расширение", "of which expansion"),
    "replacement_total": ("в т.ч. замещение", "of which replacement"),
    "vacancies_total": ("в т.ч. вакансии {Y}", "of which vacancies {Y}"),
    "demand_lo_80": ("Потребность, нижн. 80%", "Demand, lower 80%"),
    "demand_hi_80": ("Потребность, верхн. 80%", "Demand, upper 80%"),
    "programme_code": ("Код программы", "Programme code"),
    "programme": ("Программа", "Programme"),
    "duration_months": ("Срок, мес.", "Duration, months"),
    "admission_year": ("Год приёма", "Admission year"),
    "graduation_year": ("Год выпуска", "Graduation year"),
    "coverage_share": ("Доля покрытия c", "Coverage share c"),
    "employment_rate": ("Доля трудоустройства e", "Employment rate e"),
    "graduates_needed": ("Нужно выпускников G", "Graduates needed G"),
    "pipeline": ("Выпуск из контингента P*", "Pipeline P*"),
    "pipeline_year": ("Выпуск контингента P", "Cohort graduates P"),
    "carry": ("Неусвоенный выпуск S", "Carried-over graduates S"),
    "gap": ("Разрыв Gap", "Gap"),
    "dropout": ("Отсев d", "Dropout d"),
    "quota_raw": ("КЦП до округления", "Raw quota"),
    "quota_needed": ("КЦП расчётная", "Quota needed"),
    "shortfall": ("Сокращение по бюджету", "Budget shortfall"),
    "quota": ("КЦП предлагаемая", "Proposed quota"),
    "deficit": ("Дефицит мощности", "Capacity deficit"),
    "last_quota": ("КЦП прошлого года", "Last year's quota"),
    "change": ("Изменение", "Change"),
    "college_code": ("Код организации", "College code"),
    "college": ("Организация", "College"),
    "capacity": ("Мощность", "Capacity"),
    "target": ("Целевое значение", "Target"),
    "file": ("Файл", "File"),
    "sheet": ("Лист", "Sheet"),
    "row": ("Строка", "Row"),
    "column": ("Столбец", "Column"),
    "value": ("Значение", "Value"),
    "severity": ("Важность", "Severity"),
    "code": ("Код", "Code"),
    "message": ("Сообщение", "Message"),
    "source": ("Источник", "Source"),
    "table": ("Таблица", "Table"),
    "model": ("Модель", "Model"),
    "horizon": ("Горизонт, лет", "Horizon, years"),
    "h": ("Горизонт, лет", "Horizon, years"),
    "n": ("Наблюдений", "Observations"),
    "mae": ("MAE", "MAE"),
    "mase": ("MASE", "MASE"),
    "rmse": ("RMSE", "RMSE"),
    "mape": ("MAPE", "MAPE"),
    "smape": ("sMAPE", "sMAPE"),
    "wape": ("WAPE", "WAPE"),
    "bias": ("Смещение", "Bias"),
    "coverage_80": ("Покрытие 80%", "Coverage 80%"),
    "coverage_95": ("Покрытие 95%", "Coverage 95%"),
    "rho": ("Коэф. реализации ρ", "Realisation ratio ρ"),
    "ratio": ("Коэф. реализации ρ", "Realisation ratio ρ"),
    "count": ("Количество", "Count"),
    "item": ("Показатель", "Item"),
    "parameter": ("Параметр", "Parameter"),
    "respondents": ("Респондентов", "Respondents"),
    "respondents_headcount": ("Численность респондентов", "Respondents' headcount"),
    "weight": ("Вес", "Weight"),
    "coverage": ("Охват", "Coverage"),
    "survey_year": ("Год обследования", "Survey year"),
    "method": ("Метод", "Method"),
    "reason": ("Причина", "Reason"),
    "winkler_80": ("Винклер 80%", "Winkler 80%"),
    "winkler_95": ("Винклер 95%", "Winkler 95%"),
    "AutoForecaster": ("AutoForecaster", "AutoForecaster"),
    "cumulative": ("Нарастающим итогом", "Cumulative"),
    "wmape": ("wMAPE", "wMAPE"),
    "rho_pooled": ("ρ общий", "Pooled ρ"),
    "n_obs": ("Наблюдений", "Observations"),
    "department": ("Ведомство", "Department"),
    "signal": ("Сигнал", "Signal"),
    "threshold": ("Порог", "Threshold"),
    "kind": ("Вид строки", "Row kind"),
    "forecast": ("Прогноз", "Forecast"),
    "actual": ("Факт", "Actual"),
    "error": ("Ошибка (прогноз − факт)", "Error (forecast − actual)"),
    "ape": ("Отн. ошибка |ошибка|/факт", "APE |error|/actual"),
    "in_80": ("Внутри 80%", "Inside 80%"),
    "in_95": ("Внутри 95%", "Inside 95%"),
    "wmape_flat": ("wMAPE без изменений", "wMAPE flat"),
    "n_keys": ("Ключей", "Keys"),
    "region_code": ("Код региона", "Region code"),
    "region_name": ("Регион", "Region"),
    "status": ("Статус", "Status"),
    "waves": ("Волны", "Waves"),
    "rows_accepted": ("Принято строк", "Rows accepted"),
    "rows_rejected": ("Отклонено строк", "Rows rejected"),
    "employment_T_total": ("Численность {T}", "Employment {T}"),
    "region_demand_total": ("Потребность {A}–{B}", "Demand {A}–{B}"),
    "quota_total": ("КЦП {Y}", "Quotas {Y}"),
}

#: cell values shown translated (accuracy methods, booleans)
VALUES: dict[str, tuple[str, str]] = {
    "model": ("модель kadry", "kadry model"),
    "stated_needs": ("заявки работодателей как есть", "stated needs as is"),
    "flat_3pct": ("без роста, выбытие 3% в год", "flat, 3% exits a year"),
    "model_realised_expansion": ("модель при фактическом расширении (разложение ошибки)",
                                 "model with the realised expansion (error decomposition)"),
    "model_realised_replacement": ("модель при фактическом замещении (разложение ошибки)",
                                   "model with the realised replacement (error decomposition)"),
    "model_realised_employment": ("модель при фактической численности (разложение ошибки)",
                                  "model with the realised employment (error decomposition)"),
    "no_quota_level": ("уровень без КЦП (ВО/ПО/БО)", "level without quotas (ВО/ПО/БО)"),
    "no_programme": ("нет программы этого уровня в таблице соответствия",
                     "no programme of this level in the mapping"),
    "Naive": ("наивный (последнее значение)", "naive (last value)"),
    "all": ("все", "all"),
    "True": ("да", "yes"),
    "ok": ("ok", "ok"),
    "failed": ("ошибка", "failed"),
    "False": ("нет", "no"),
    "NO_PROGRAMME": ("нет программы", "no programme"),
    "CAPACITY_DEFICIT": ("не хватает мощности", "capacity deficit"),
    "BELOW_MIN_GROUP": ("меньше минимальной группы", "below the minimum group"),
    "GROWING": ("потребность растёт", "demand growing"),
    "DECLINING": ("потребность снижается", "demand declining"),
    "NEW_PROFESSION": ("новая профессия", "new profession"),
}

#: issue severities (the data-issues sheet and the summary's counts); the codes stay as they are
SEVERITIES: dict[str, tuple[str, str]] = {
    "error": ("ошибка", "error"),
    "warning": ("предупреждение", "warning"),
    "info": ("сведения", "info"),
}

#: levels of the hierarchy (evaluation sheet)
LEVELS: dict[str, tuple[str, str]] = {
    "total": ("регион", "region"),
    "section": ("отрасль", "industry"),
    "profession": ("профессия", "profession"),
    "cell": ("профессия × отрасль", "profession × industry"),
}


def level(v, lang: str = "ru"):
    """A hierarchy level's name (unchanged when unknown)."""
    pair = LEVELS.get(str(v))
    return _pick(pair, lang) if pair else v

#: captions and free text
TEXT: dict[str, tuple[str, str]] = {
    "total": ("Итого", "Total"),
    "title": ("Прогноз потребности в кадрах и КЦП, обследование {T} г.",
              "Staffing demand forecast and admission quotas, survey {T}"),
    "facts": ("Основные сведения", "Key facts"),
    "survey_year": ("Год обследования (T)", "Survey year (T)"),
    "waves": ("Волны обследования", "Survey waves"),
    "respondents": ("Респондентов (работодателей) в волне T", "Respondents (employers) in wave T"),
    "rows": ("Принято строк анкет (все волны)", "Survey rows accepted (all waves)"),
    "rejected": ("Отклонено строк", "Rows rejected"),
    "files": ("Файлов прочитано / с ошибкой", "Files read / failed"),
    "coverage": ("Охват занятости респондентами в T", "Employment covered by respondents in T"),
    "horizon": ("Горизонт прогноза", "Forecast horizon"),
    "scenarios": ("Сценарии", "Scenarios"),
    "shown_scenario": ("Сценарий на листах по умолчанию (фильтр)", "Scenario shown by default (filter)"),
    "totals_by_year": ("Итоги по годам (регион)", "Totals by year (region)"),
    "top": ("20 профессий с наибольшей потребностью, {A}–{B}, сценарий {S}",
            "Top 20 professions by demand, {A}–{B}, scenario {S}"),
    "issues_by_code": ("Замечания к данным", "Data issues"),
    "quota_total": ("КЦП предлагаемая, всего", "Proposed quotas, total"),
    "last_quota_total": ("КЦП прошлого года, всего", "Last year's quotas, total"),
    "filter_note": ("Итоги (строка «Итого») учитывают только видимые строки: по умолчанию "
                    "показан сценарий «{S}», другие — через фильтр в заголовке.",
                    "The Total row sums visible rows only: scenario '{S}' is shown by default, "
                    "pick another with the header filter."),
    "chain": ("Расчёт по годам (для проверки с калькулятором)", "Year-by-year chain (to recompute by hand)"),
    "params": ("Параметры расчёта", "Parameters"),
    "realisation": ("Коэффициенты реализации заявленной потребности ρ", "Realisation ratios ρ of stated needs"),
    "accuracy": ("Точность прогноза на ретроспективе (скользящее начало)",
                 "Backtest accuracy (rolling origin)"),
    "no_rows": ("(нет строк)", "(no rows)"),
    "no_quotas": ("КЦП не рассчитывались: в конфигурации нет таблиц программ.",
                  "Quotas were not derived: the config names no programme tables."),
    "fan_title": ("{name}: численность, прогноз и интервалы", "{name}: employment, forecast and intervals"),
    "region": ("Регион, всего", "Region, total"),
    "history": ("обследования", "surveys"),
    "forecast": ("прогноз", "forecast"),
    "band": ("интервал {L}%", "{L}% interval"),
    "industry_title": ("Потребность по отраслям, сценарий {S}", "Demand by industry, scenario {S}"),
    "quotas_title": ("КЦП и потребность года выпуска, сценарий {S}",
                     "Quotas and demand in the graduation year, scenario {S}"),
    "persons": ("человек", "persons"),
    "other": ("прочие", "other"),
    "survey_src": ("анкеты", "survey"),
    "quotas_src": ("таблицы КЦП", "quota tables"),
    "skipped": ("файл пропущен", "file skipped"),
    "engine": ("Модель временных рядов на занятости отраслей: скользящее начало, 1–{H} года вперёд "
               "(покрытие интервалов — в %)",
               "Time-series engine on industry employment: rolling origin, 1–{H} years ahead "
               "(interval coverage in %)"),
    "unmapped": ("Потребность {A}–{B}, не переведённая в КЦП", "Demand {A}–{B} not converted to quotas"),
    "subtotal": ("Итого: {D}", "Subtotal: {D}"),
    "no_department": ("(ведомство не указано)", "(no department given)"),
    "department_sheet": ("КЦП — {D}", "Quotas — {D}"),
    "department_title": ("КЦП на {A} год: {D} (сценарий {S}) — приложение к приказу",
                         "Admission quotas for {A}: {D} (scenario {S}) — annex to the order"),
    "department_note": ("Ведомство утверждает КЦП своих организаций; строки — организации "
                        "и программы, итог — сумма мест.",
                        "The department approves the quotas of its colleges; rows are colleges "
                        "and programmes, the total is the sum of places."),
    "signals_note": ("Сигналы для обновления программ (методика §9): пороги — "
                     "quotas.min_group, quotas.signal_change, quotas.signal_min_headcount. "
                     "Показан сценарий «{S}», другие — через фильтр.",
                     "Signals for updating programmes (methodology §9): thresholds "
                     "quotas.min_group, quotas.signal_change, quotas.signal_min_headcount. "
                     "Scenario '{S}' is shown, pick another with the filter."),
    "no_evaluation": ("Прошлый прогноз не оценивался: укажите папку прошлогоднего расчёта в "
                      "[evaluation] previous (или выполните kadry evaluate PREVIOUS CURRENT).",
                      "Last year's forecast was not evaluated: name last year's output folder "
                      "in [evaluation] previous (or run kadry evaluate PREVIOUS CURRENT)."),
    "evaluation_summary": ("Прогноз {T0} г. на {T} г. (горизонт {H}) против обследования {T} г.: "
                           "wMAPE = Σ|ошибка| / Σ факт, смещение = Σ ошибка / Σ факт, "
                           "сравнение с прогнозом «без изменений» (численность {T0} г.)",
                           "The {T0} forecast of {T} (horizon {H}) against the {T} survey: "
                           "wMAPE = Σ|error| / Σ actual, bias = Σ error / Σ actual, against "
                           "the flat forecast (employment of {T0})"),
    "evaluation_quotas": ("Предложенная в {T0} г. КЦП на {A} г. и утверждённая (КЦП прошлого года)",
                          "Quotas proposed in {T0} for {A} against those approved (last year's quota)"),
    "evaluation_details": ("По уровням и ключам (пустой прогноз или факт — ключ есть только в "
                           "одном расчёте; в сводку не входит)",
                           "By level and key (forecast or actual empty: the key is in one run "
                           "only; left out of the summary)"),
    "accuracy_note": ("Ретроспективная проверка: прогноз, сделанный по данным прошлых волн, "
                      "сравнивается с потребностью, реализованной по следующим волнам. "
                      "wMAPE = Σ|прогноз − факт| / Σ факт (меньше — лучше); покрытие — доля "
                      "фактических значений внутри интервала (ожидается около 80% и 95%).",
                      "Backtest: forecasts made from past waves are compared with the demand "
                      "realised in the following waves. wMAPE = Σ|forecast − actual| / Σ actual "
                      "(lower is better); coverage = share of actuals inside the interval "
                      "(about 80% and 95% expected)."),
    "nat_title": ("Потребность в кадрах и КЦП по регионам: {N}, обследование {T} г.",
                  "Staffing demand and admission quotas by region: {N}, survey {T}"),
    "nat_regions": ("Регионы", "Regions"),
    "nat_ok": ("Регионов обработано / всего", "Regions finished / listed"),
    "nat_rf": ("РФ (сумма регионов со статусом ok)", "RF (sum of the regions with status ok)"),
    "nat_scenarios": ("Сценарии сумм РФ (есть во всех регионах)", "Scenarios of the RF sums (in every region)"),
    "nat_excluded": ("В суммы РФ не включены (статус «ошибка»): {R}.",
                     "Left out of the RF sums (status failed): {R}."),
    "nat_all_in": ("В суммы РФ включены все регионы.", "Every region is in the RF sums."),
    "nat_totals_note": ("Численность — год T, потребность — сумма {A}–{B}, КЦП — приём {Y}; "
                        "сценарий «{S}».",
                        "Employment in year T, demand summed over {A}–{B}, quotas for admission "
                        "in {Y}; scenario '{S}'."),
    "nat_by_region_note": ("Строки «{RF}» — суммы регионов со статусом ok; их интервалы — корень из "
                           "суммы квадратов полуширин регионов (см. «Методика»).",
                           "Rows '{RF}' are the sums of the regions with status ok; their intervals "
                           "combine the regions' half-widths as a root of the sum of squares "
                           "(see Methodology)."),
    "nat_region_failed": ("регион не обработан", "region failed"),
    "nat_source_region": ("расчёт региона", "region run"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def sheet(key: str, lang: str = "ru") -> str:
    """Sheet name of ``key`` in ``lang``."""
    return _pick(SHEETS[key], lang)


def national_sheet(key: str, lang: str = "ru") -> str:
    """Sheet name of ``key`` of the national workbook in ``lang``."""
    return _pick(NATIONAL_SHEETS[key], lang)


def col(key: str, lang: str = "ru", **fmt) -> str:
    """Column header of ``key`` (the key itself when unknown); ``fmt`` fills ``{T}`` etc."""
    pair = COLUMNS.get(key)
    label = _pick(pair, lang) if pair else key
    return label.format(**fmt) if fmt else label


#: headers of interval bounds at any level ``{L}`` (the 80/95 ones above are the same words)
_BAND = {
    "employment_lo": ("Численность, нижн. {L}%", "Employment, lower {L}%"),
    "employment_hi": ("Численность, верхн. {L}%", "Employment, upper {L}%"),
    "demand_lo": ("Потребность, нижн. {L}%", "Demand, lower {L}%"),
    "demand_hi": ("Потребность, верхн. {L}%", "Demand, upper {L}%"),
}


def band_col(bound: str, level: int, lang: str = "ru") -> str:
    """Header of ``<bound>_<level>`` (e.g. ``employment_lo``, 90), for any interval level.

    >>> band_col("employment_lo", 90, "en")
    'Employment, lower 90%'
    """
    return _pick(_BAND[bound], lang).format(L=int(level))


def text(key: str, lang: str = "ru", **fmt) -> str:
    """Caption ``key`` in ``lang``."""
    label = _pick(TEXT[key], lang)
    return label.format(**fmt) if fmt else label


def value(v, lang: str = "ru"):
    """A cell value translated when it is a known code (else unchanged)."""
    pair = VALUES.get(str(v)) if isinstance(v, (str, bool)) else None
    return _pick(pair, lang) if pair else v


def severity(v, lang: str = "ru"):
    """An issue severity (error, warning, info) in ``lang`` (else unchanged).

    >>> severity("warning", "ru"), severity("warning", "en")
    ('предупреждение', 'warning')
    """
    pair = SEVERITIES.get(v) if isinstance(v, str) else None
    return _pick(pair, lang) if pair else v


def section_name(code: str, lang: str = "ru") -> str:
    """ОКВЭД2 section name (empty for an unknown code)."""
    from forecast.classifiers import OKVED_SECTIONS, OKVED_SECTIONS_EN

    names = OKVED_SECTIONS_EN if lang == "en" else OKVED_SECTIONS
    return names.get(str(code), "")


__all__ = ["SHEETS", "NATIONAL_SHEETS", "COLUMNS", "TEXT", "VALUES", "LEVELS", "SEVERITIES", "sheet",
           "national_sheet", "band_col", "col", "text", "value", "level", "severity", "section_name"]
