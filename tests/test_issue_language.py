"""Data issues in the run's language (issue 14, item 10).

Every issue message is built from its facts in English and in Russian (templates in
forecast/survey/schema.py and forecast/quotas/tables.py); the Russian workbook's
``Проверка данных`` sheet and the ``Сводка`` counts show Russian messages and severities,
the English workbook and survey_report.json stay English.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import string

import openpyxl
import pytest

from forecast.columns import ISSUE_COLUMNS
from forecast.quotas.tables import QUOTA_MESSAGES
from forecast.report import labels as L
from forecast.report.workbook import build_workbook
from forecast.survey.report import COUNT_KEYS
from forecast.survey.schema import (DETAILS, MESSAGES, MESSAGES_RU, SKIP_REASONS, Detail,
                                    message)

T = 2026
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


# --- (a) one template per language, same placeholders ------------------------------------------

def test_every_code_has_a_russian_template_with_the_same_placeholders():
    assert set(MESSAGES_RU) == set(MESSAGES)
    for code, en in MESSAGES.items():
        assert _fields(MESSAGES_RU[code]) == _fields(en), code


@pytest.mark.parametrize("table", [DETAILS, SKIP_REASONS, QUOTA_MESSAGES],
                         ids=["details", "skip_reasons", "quota_messages"])
def test_every_detail_has_russian_with_the_same_placeholders(table):
    for key, (en, ru) in table.items():
        assert _fields(ru) == _fields(en), key
        # Russian text, but for the pass-through of a program's own error text
        assert _CYRILLIC.search(ru) or ru in ("{error}",), key


def test_a_russian_template_is_russian():
    """A Russian template that is a copy of the English one is caught (the check above only
    compares placeholders)."""
    for code, ru in MESSAGES_RU.items():
        if ru != "{detail}":
            assert _CYRILLIC.search(ru.replace("ИНН", "").replace("ОКВЭД2", "").replace("ОКПДТР", "")
                                    .replace("ОКЗ", "").replace("СПО", "")), code
    for key, (_, ru) in {**DETAILS, **SKIP_REASONS}.items():
        if _fields(ru) != {"error"}:
            assert _CYRILLIC.search(ru), key


def test_message_is_built_from_facts_in_either_language():
    d = Detail.of("jump", profession="24109", education="ВО", prev=10, prev_year=2025, now=80,
                  factor=5, min_change=10)
    assert message("W_JUMP", d) == ("headcount of profession 24109 (ВО) went from 10 (2025) to 80: a "
                                    "change of more than 5× up or down and of at least 10 persons")
    ru = message("W_JUMP", d, "ru")
    assert "24109" in ru and "2025" in ru and "80" in ru and not _latin_words(ru)
    with pytest.raises(KeyError):
        Detail.of("no_such_detail")
    with pytest.raises(ValueError):
        message("E_REQUIRED", "", "de")


def test_file_error_keeps_its_facts_across_processes():
    """A FileError comes back from a worker process pickled: its facts, not only its English
    text, survive, so the Russian message is built from them too."""
    import pickle

    from forecast.survey.schema import messages
    from forecast.survey.zipscan import FileError

    exc = FileError("E_FILE_TOO_LARGE", Detail.of("rows_over", limit=200000))
    back = pickle.loads(pickle.dumps(exc))
    assert back.detail == exc.detail == "more than 200,000 data rows"
    assert messages(back.code, back.facts) == {
        "message": "the file is too large to read safely: more than 200,000 data rows",
        "message_ru": "файл слишком велик для безопасного чтения: больше 200\u00a0000 строк данных"}


# --- the check a Russian message must pass ---------------------------------------------------

#: proper names of formats and programs: the same words in a Russian sentence
PROPER_NAMES = frozenset({"CSV", "UTF", "Windows", "Office", "Excel", "xlsx", "OLE", "Word", "PDF", "HTML",
                          "XML", "DOCTYPE", "zip", "CRC", "MILP", "DataFrame"})


def _latin_words(msg: str, *, code=None, file=None, column=None, value=None) -> list[str]:
    """Latin words of 3+ letters in ``msg`` that are not a code, a file name, a column key, a
    config key, a value quoted from the input or a proper name."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", " ", str(msg))              # values quoted from the input
    text = re.sub(r"\S*[/\\]\S*", " ", text)                           # paths
    text = re.sub(r"\S*\.(?:csv|xlsx|xlsm|xls|xlsb|ods|txt)\b", " ", text)  # file names, suffixes
    for v in (code, file, column, value):                              # the row's own cells
        if v is not None and str(v) != "":
            text = re.sub(rf"(?<!\w){re.escape(str(v))}(?!\w)", " ", text)
    text = re.sub(r"\[\w+\] \w+", " ", text)                            # config keys: [survey] year
    text = re.sub(r"\b[a-z]+(?:_[a-z0-9]+)+\b", " ", text)              # column keys: need_1, survey_year
    text = re.sub(r"\b[EW]_[A-Z_]+\b", " ", text)                        # issue codes
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in PROPER_NAMES]


def test_the_check_fails_on_english():
    assert _latin_words("not a number") == ["not", "number"]
    assert _latin_words("не число, столбец need_1, файл a.xlsx, значение 'abc'") == []


def test_every_russian_template_passes_the_check():
    """Codes the sample does not produce (W_JUMP, W_THIN_WAVE, W_NO_CONTROL, hostile files …)
    too: every Russian template, filled with numbers, has no English word."""
    for code, ru in MESSAGES_RU.items():
        assert not _latin_words(ru.format(detail=7)), code
    for key, (_, ru) in {**DETAILS, **SKIP_REASONS, **QUOTA_MESSAGES}.items():
        assert not _latin_words(ru.format(**dict.fromkeys(_fields(ru), 7))), key


# --- (b), (c), (d) on a generated region with every mistake ----------------------------------

@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from forecast.pipeline import run
    from forecast.sample import generate_region, write_region

    folder = tmp_path_factory.mktemp("region")
    write_region(generate_region(seed=7, n_employers=60, first_wave=2022, last_wave=T), folder)
    res = run(folder / "kadry.toml")
    assert res.config.output.language == "ru"
    return res


def _with_language(res, lang):
    cfg = dataclasses.replace(res.config, output=dataclasses.replace(res.config.output, language=lang))
    return dataclasses.replace(res, config=cfg)


def _sheet_rows(xlsx: bytes, sheet: str) -> list[dict]:
    ws = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r)]


def _issues_sheet(res, lang) -> list[dict]:
    rows = _sheet_rows(build_workbook(_with_language(res, lang)), L.sheet("issues", lang))
    keys = ("source", "file", "sheet", "row", "column", "value", "severity", "code", "message")
    return [{k: r[L.col(k, lang)] for k in keys} for r in rows]


def test_russian_workbook_shows_russian_messages_and_severities(result):
    rows = _issues_sheet(result, "ru")
    survey, quota = result.survey, result.quota_issues
    # nothing lost: one sheet row per survey issue, skipped file and quota issue
    assert len(rows) == len(survey.issues) + len(survey.skipped) + len(quota)
    # the sample writes forms with its mistakes: the check below runs on many codes
    codes = {r["code"] for r in rows}
    assert {"E_FILE_UNREADABLE", "E_INN_CHECKSUM", "W_ALIAS", "W_SUPERSEDED", "W_TOTAL_MISMATCH",
            "W_IGNORED_ROWS", "W_MERGED", "W_UNKNOWN_COLUMN", "SKIPPED", "future_cohort"} <= codes
    bad = {}
    for r in rows:
        words = _latin_words(r["message"], code=r["code"], file=r["file"], column=r["column"],
                             value=r["value"])
        if words:
            bad.setdefault(r["code"], (r["message"], words))
    assert not bad, bad
    assert {r["severity"] for r in rows} <= {"ошибка", "предупреждение", "сведения"}
    assert {r["severity"] for r in rows if r["code"].startswith("E_")} == {"ошибка"}


def test_the_same_check_fails_on_every_english_message_code(result):
    """The check of the Russian sheet can fail: it flags every code's English message."""
    iss = result.survey.issues
    flagged = {c for c, m, f, col, v in zip(iss["code"], iss["message"], iss["file"], iss["column"],
                                            iss["value"])
               if _latin_words(m, code=c, file=f, column=col, value=v)}
    assert flagged == set(iss["code"])
    assert all(_latin_words(m) for m in result.quota_issues["message"])
    assert all(_latin_words(s["reason"]) for s in result.survey.skipped)


def test_summary_counts_use_russian_severities(result):
    ws = openpyxl.load_workbook(io.BytesIO(build_workbook(result)), read_only=True)[L.sheet("summary", "ru")]
    cells = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "предупреждение" in cells and "ошибка" in cells
    assert not {"warning", "error", "info"} & set(cells)


def test_english_workbook_keeps_english_messages(result):
    rows = _issues_sheet(result, "en")
    iss = result.survey.issues
    survey_rows = [r for r in rows if r["source"] == L.text("survey_src", "en") and r["code"] != "SKIPPED"]
    assert [r["message"] for r in survey_rows] == list(iss["message"])
    assert {r["severity"] for r in rows} <= {"error", "warning", "info"}
    quota_rows = [r["message"] for r in rows if r["source"] == L.text("quotas_src", "en")]
    assert quota_rows == list(result.quota_issues["message"])
    assert all(_latin_words(m) for m in quota_rows)


def test_survey_report_json_keeps_its_structure_and_english(result, tmp_path):
    from forecast.report import render

    report = json.loads(render(result)["survey_report.json"])
    assert list(report) == [*COUNT_KEYS, "skipped", "issues"]
    assert all(list(s) == ["file", "reason"] for s in report["skipped"])
    assert all(list(i) == list(ISSUE_COLUMNS) for i in report["issues"])
    assert list(result.survey.issues.columns) == list(ISSUE_COLUMNS)
    assert [i["message"] for i in report["issues"]] == list(result.survey.issues["message"])
    assert {i["severity"] for i in report["issues"]} <= {"error", "warning"}
    # English: every message has English words (the Russian ones have none)
    assert all(_latin_words(i["message"], code=i["code"], file=i["file"], column=i["column"],
                            value=i["value"]) for i in report["issues"])
