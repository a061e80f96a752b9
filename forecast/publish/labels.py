"""Captions of the published site (ru, en); column headers come from :mod:`forecast.report.labels`.

Examples
--------
>>> t("nav_demand", "ru"), t("nav_demand", "en")
('Потребность', 'Demand')
>>> t("top_title", "en", n=20, A=2027, B=2033, S="base")
'The 20 professions with the largest demand, 2027–2033, scenario base'
"""

from __future__ import annotations

SITE: dict[str, tuple[str, str]] = {
    "site_title": ("Прогноз потребности в кадрах", "Staffing demand forecast"),
    "nav_index": ("Сводка", "Summary"),
    "nav_demand": ("Потребность", "Demand"),
    "nav_quotas": ("КЦП", "Admission quotas"),
    "nav_method": ("Методика", "Methodology"),
    "nav_data": ("Данные", "Data"),
    "index_title": ("Прогноз потребности в кадрах и контрольные цифры приёма, обследование {T} г.",
                    "Staffing demand forecast and admission quotas, survey {T}"),
    "region": ("Регион", "Region"),
    "lead": ("Прогноз построен по обследованию работодателей {T} года на {A}–{B} годы. Потребность — "
             "число работников, которых работодателям нужно будет принять сверх имеющихся (рост "
             "численности, замещение выбывающих и вакансии). Контрольные цифры приёма (КЦП) — "
             "предлагаемый бюджетный приём {A1} года на программы СПО.",
             "The forecast is built from the {T} employer survey for {A}–{B}. Demand is the number of "
             "workers employers will need to hire beyond their staff (growth, replacement of leavers "
             "and vacancies). Admission quotas are the proposed state-funded intake of {A1} into "
             "vocational programmes."),
    "facts": ("Основные сведения", "Key facts"),
    "fact": ("Показатель", "Item"),
    "fact_value": ("Значение", "Value"),
    "survey_year": ("Год обследования", "Survey year"),
    "period": ("Прогнозный период", "Forecast period"),
    "scenarios": ("Сценарии", "Scenarios"),
    "primary_note": ("Основной сценарий — «{S}»; таблицы других сценариев — ниже, в раскрывающихся разделах.",
                     "The main scenario is '{S}'; the other scenarios' tables are further down, in expandable sections."),
    "rows_read": ("Строк анкет прочитано", "Survey rows read"),
    "rows_accepted": ("Строк анкет принято", "Survey rows accepted"),
    "rows_rejected": ("Строк анкет отклонено", "Survey rows rejected"),
    "files": ("Файлов анкет прочитано / с ошибкой", "Survey files read / failed"),
    "demand_period": ("Потребность {A}–{B}, сценарий «{S}», человек", "Demand {A}–{B}, scenario '{S}', persons"),
    "quota_total": ("КЦП {A}, сценарий «{S}», мест", "Admission quotas {A}, scenario '{S}', places"),
    "totals_title": ("Итоги по годам и сценариям", "Totals by year and scenario"),
    "totals_caption": ("Численность занятых и потребность в кадрах по годам, регион, сценарий «{S}»",
                       "Employment and staffing demand by year, region, scenario '{S}'"),
    "totals_chart": ("Потребность в кадрах по годам и сценариям, человек", "Staffing demand by year and scenario, persons"),
    "totals_chart_desc": ("Столбчатая диаграмма: потребность региона в каждом прогнозном году {A}–{B} по сценариям {L}. "
                          "Те же числа — в таблицах ниже.",
                          "Bar chart: the region's demand in each forecast year {A}–{B} by scenario {L}. "
                          "The same numbers are in the tables below."),
    "demand_by_scenario": ("Потребность по годам и сценариям, человек", "Demand by year and scenario, persons"),
    "fan_title": ("Численность занятых в регионе: обследования, прогноз и интервалы", "Regional employment: surveys, forecast and intervals"),
    "fan_alt": ("Веерная диаграмма численности занятых в регионе: обследования до {T} года и прогноз на {A}–{B} "
                "годы с интервалами 80% и 95%, сценарий «{S}». Числа — в таблице под рисунком.",
                "Fan chart of regional employment: surveys up to {T} and the forecast for {A}–{B} with 80% and "
                "95% intervals, scenario '{S}'. The numbers are in the table below the figure."),
    "fan_caption": ("Численность занятых и интервалы прогноза, регион, сценарий «{S}»",
                    "Employment and forecast intervals, region, scenario '{S}'"),
    "top_title": ("{n} профессий с наибольшей потребностью, {A}–{B}, сценарий {S}",
                  "The {n} professions with the largest demand, {A}–{B}, scenario {S}"),
    "top_desc": ("Горизонтальные столбцы: суммарная потребность {A}–{B} по {n} профессиям с наибольшей потребностью "
                 "(все уровни образования вместе), от большей к меньшей; наибольшая — «{first}», {v} чел. "
                 "Те же числа — в таблице под диаграммой.",
                 "Horizontal bars: total demand {A}–{B} of the {n} professions with the largest demand (all "
                 "education levels together), largest first; the largest is '{first}', {v} persons. The same "
                 "numbers are in the table below the chart."),
    "more": ("Подробнее", "More"),
    "demand_title": ("Потребность в кадрах по профессиям и отраслям", "Staffing demand by profession and industry"),
    "demand_lead": ("Числа — человек; потребность по годам {A}–{B} и за весь период. Нажмите на заголовок "
                    "столбца, чтобы упорядочить таблицу.",
                    "Numbers are persons; demand per year {A}–{B} and for the whole period. Click a column "
                    "header to sort a table."),
    "by_industry": ("По отраслям (разделы ОКВЭД2)", "By industry (ОКВЭД2 sections)"),
    "by_profession": ("По профессиям", "By profession"),
    "industry_chart": ("Потребность {A}–{B} по отраслям, сценарий «{S}», человек",
                       "Demand {A}–{B} by industry, scenario '{S}', persons"),
    "industry_desc": ("Горизонтальные столбцы: суммарная потребность {A}–{B} по отраслям, от большей к меньшей; "
                      "наибольшая — «{first}», {v} чел. Те же числа — в таблице «По отраслям».",
                      "Horizontal bars: total demand {A}–{B} by industry, largest first; the largest is "
                      "'{first}', {v} persons. The same numbers are in the 'By industry' table."),
    "scenario_h": ("Сценарий «{S}»", "Scenario '{S}'"),
    "industry_caption": ("Потребность по отраслям, сценарий «{S}»", "Demand by industry, scenario '{S}'"),
    "profession_caption": ("Потребность по профессиям и уровням образования, сценарий «{S}»",
                           "Demand by profession and education level, scenario '{S}'"),
    "quotas_title": ("Контрольные цифры приёма (КЦП)", "Admission quotas"),
    "quotas_lead": ("Предлагаемый приём {A} года на программы СПО: по программам и по образовательным "
                    "организациям, сгруппированным по ведомствам, которые их утверждают.",
                    "The proposed intake of {A} into vocational programmes: by programme and by college, "
                    "grouped by the departments that approve them."),
    "no_quotas": ("КЦП в этом расчёте не определялись (в конфигурации нет таблиц программ).",
                  "Quotas were not derived in this run (the config names no programme tables)."),
    "quota_scenarios": ("КЦП по сценариям", "Quotas by scenario"),
    "quota_scen_caption": ("КЦП {A} по программам и сценариям, мест", "Quotas {A} by programme and scenario, places"),
    "quota_chart": ("КЦП {A} и КЦП прошлого года: {n} программ с наибольшей КЦП, сценарий «{S}»",
                    "Quotas {A} and last year's: the {n} programmes with the largest quota, scenario '{S}'"),
    "quota_desc": ("Горизонтальные столбцы: предлагаемая КЦП (синие) и КЦП прошлого года (оранжевые) по {n} программам "
                   "с наибольшей предлагаемой КЦП; наибольшая — «{first}», {v} мест. Числа — в таблице «По программам».",
                   "Horizontal bars: the proposed quota (blue) and last year's quota (orange) of the {n} programmes "
                   "with the largest proposed quota; the largest is '{first}', {v} places. The numbers are in the "
                   "'By programme' table."),
    "by_programme": ("По программам", "By programme"),
    "programme_caption": ("КЦП по программам, сценарий «{S}»", "Quotas by programme, scenario '{S}'"),
    "by_college": ("По образовательным организациям", "By college"),
    "department": ("Ведомство: {D}", "Department: {D}"),
    "dept_col": ("Ведомство", "Department"),
    "one_department": ("Все организации", "All colleges"),
    "no_department": ("(ведомство не указано)", "(no department given)"),
    "college_caption": ("КЦП по организациям, {D}, сценарий «{S}»", "Quotas by college, {D}, scenario '{S}'"),
    "subtotal": ("Итого по ведомству", "Department total"),
    "dept_totals": ("Итоги по ведомствам, сценарий «{S}»", "Totals by department, scenario '{S}'"),
    "signals": ("Требования к обновлению образовательных программ", "Programme-update requirements"),
    "signals_caption": ("Сигналы к обновлению программ, сценарий «{S}»", "Programme-update signals, scenario '{S}'"),
    "method_title": ("Методика", "Methodology"),
    "evaluation": ("Оценка прошлого прогноза: итоги", "Evaluation of last year's forecast: summary"),
    "level_total": ("регион", "region"),
    "level_section": ("отрасль", "industry"),
    "level_profession": ("профессия", "profession"),
    "level_cell": ("ячейка", "cell"),
    "evaluation_caption": ("Прошлогодний прогноз против фактических данных обследования", "Last year's forecast against the survey's actuals"),
    "evaluation_detail": ("Построчное сравнение прогноза с фактом (по уровням, годам и программам) — в файле",
                          "The row-by-row comparison (by level, year and programme) is in the file"),
    "data_title": ("Данные для скачивания", "Data downloads"),
    "data_lead": ("Таблицы расчёта в формате CSV (UTF-8, разделитель — запятая) и наборы открытых данных "
                  "по Методическим рекомендациям по публикации открытых данных (версия 3.0).",
                  "The run's tables as CSV (UTF-8, comma-separated) and open-data sets following the Russian "
                  "open-data publication guidelines (version 3.0)."),
    "downloads": ("Таблицы расчёта", "The run's tables"),
    "file": ("Файл", "File"),
    "content": ("Содержание", "Content"),
    "size": ("Размер, байт", "Size, bytes"),
    "rows": ("Строк", "Rows"),
    "opendata": ("Открытые данные", "Open data"),
    "od_passport": ("Паспорт набора «{title}»", "Passport of the set '{title}'"),
    "od_files": ("Файлы набора: {meta}, {data}, {structure}", "The set's files: {meta}, {data}, {structure}"),
    "od_registry": ("Реестр наборов открытых данных: {list}", "Registry of open-data sets: {list}"),
    "property": ("Поле паспорта", "Passport field"),
    "passport_name": ("Наименование поля (методические рекомендации)", "Field name in the guidelines (Russian)"),
    "footer": ("Рассчитано программой kadry {v} по обследованию {T} г. Числа на страницах округлены; точные "
               "значения — в файлах CSV раздела «Данные».",
               "Computed by kadry {v} from the {T} survey. Numbers on the pages are rounded; exact values are "
               "in the CSV files of the Data page."),
    "f_demand": ("Потребность и численность: все уровни (ячейки, профессии, отрасли, регион), сценарии и годы",
                 "Demand and employment: every level (cells, professions, industries, region), scenario and year"),
    "f_qp": ("КЦП по программам с расчётными величинами", "Quotas by programme with the quantities of the calculation"),
    "f_qc": ("КЦП по образовательным организациям", "Quotas by college"),
    "f_signals": ("Требования к обновлению программ", "Programme-update requirements"),
    "f_evaluation": ("Оценка прошлогоднего прогноза", "Evaluation of last year's forecast"),
}


def t(key: str, lang: str = "ru", **fmt) -> str:
    """Site caption ``key`` in ``lang``, ``fmt`` filled in."""
    pair = SITE[key]
    s = pair[1] if lang == "en" else pair[0]
    return s.format(**fmt) if fmt else s


__all__ = ["SITE", "t"]
