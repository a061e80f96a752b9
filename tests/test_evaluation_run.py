"""The yearly loop end to end (methodology §8–9): a generated region run for two consecutive
survey years, the second with ``[evaluation] previous`` naming the first's output folder."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from forecast.cli import main
from forecast.columns import EVALUATION_COLUMNS, PROGRAMME_SIGNALS_COLUMNS

T = 2026


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    from forecast.sample import generate_region, write_region

    folder = tmp_path_factory.mktemp("loop")
    write_region(generate_region(seed=11, n_employers=60, first_wave=2020, last_wave=T, horizon=7),
                 folder)
    base = (folder / "kadry.toml").read_text(encoding="utf-8")
    # last year's run: the same region with the waves up to T−1
    waves = ", ".join(f'"surveys/{y}/"' for y in range(2020, T))
    (folder / "kadry_prev.toml").write_text(
        base.replace('paths = ["surveys/"]', f"paths = [{waves}]"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def runs(region, tmp_path_factory):
    out = tmp_path_factory.mktemp("outs")
    prev, cur = out / "2025", out / "2026"
    assert main(["--quiet", "run", "--config", str(region / "kadry_prev.toml"),
                 "--out", str(prev)]) in (0, 1)
    text = (region / "kadry.toml").read_text(encoding="utf-8")
    (region / "kadry_eval.toml").write_text(
        text + f'\n[evaluation]\nprevious = "{prev.as_posix()}"\n', encoding="utf-8")
    assert main(["--quiet", "run", "--config", str(region / "kadry_eval.toml"),
                 "--out", str(cur)]) in (0, 1)
    return prev, cur


def test_the_run_writes_the_evaluation_of_last_year(runs):
    prev, cur = runs
    assert not (prev / "evaluation.csv").exists()     # only with [evaluation] previous
    ev = _read(cur / "evaluation.csv")
    assert tuple(ev.columns) == EVALUATION_COLUMNS
    assert list(dict.fromkeys(ev["kind"])) == ["detail", "summary", "quota"]
    summ = ev[ev["kind"] == "summary"].set_index("level")
    assert list(summ.index) == ["total", "section", "profession", "cell"]
    assert set(summ["year"]) == {str(T)} and set(summ["horizon"]) == {"1"}
    for level in summ.index:
        assert int(summ.at[level, "n"]) > 0
        assert 0 <= float(summ.at[level, "wmape"]) < 1
        assert 0 <= float(summ.at[level, "coverage_95"]) <= 1
    # details: every key of either run listed, n counts those with both sides
    det = ev[ev["kind"] == "detail"]
    both = det[(det["forecast"] != "") & (det["actual"] != "")]
    assert both.groupby("level").size().to_dict() == summ["n"].astype(int).to_dict()
    quota = ev[ev["kind"] == "quota"]
    assert len(quota) and set(quota["year"]) == {str(T)}
    # the actuals are this run's year-T employment; the forecasts last run's E[T]
    d_cur, d_prev = _read(cur / "demand.csv"), _read(prev / "demand.csv")
    tot = det[det["level"] == "total"].iloc[0]
    assert float(tot["actual"]) == float(d_cur[(d_cur["level"] == "total") & (d_cur["year"] == str(T))
                                               & (d_cur["scenario"] == "base")]["employment"].iloc[0])
    assert float(tot["forecast"]) == float(d_prev[(d_prev["level"] == "total") & (d_prev["year"] == str(T))
                                                  & (d_prev["scenario"] == "base")]["employment"].iloc[0])
    m = json.loads((cur / "manifest.json").read_text(encoding="utf-8"))
    assert m["rows"]["evaluation"] == len(ev) and "evaluation.csv" in m["outputs"]
    assert m["inputs"]["evaluation.previous/demand.csv"]["sha256"]


def test_kadry_evaluate_gives_the_same_file(runs, tmp_path):
    prev, cur = runs
    assert main(["evaluate", str(prev), str(cur), "--out", str(tmp_path / "e.csv")]) == 0
    assert (tmp_path / "e.csv").read_bytes() == (cur / "evaluation.csv").read_bytes()


def test_evaluation_and_signals_sheets(runs):
    prev, cur = runs
    wb = openpyxl.load_workbook(cur / f"forecast_{T}.xlsx")
    ws = wb["Оценка прошлого прогноза"]
    assert [c.value for c in ws[1]][:4] == ["Уровень", "Год", "Горизонт, лет", "wMAPE"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == [
        "регион", "отрасль", "профессия", "профессия × отрасль"]
    ev = _read(cur / "evaluation.csv")
    assert ws.cell(row=2, column=4).value == pytest.approx(
        float(ev[(ev["kind"] == "summary") & (ev["level"] == "total")]["wmape"].iloc[0]))
    old = openpyxl.load_workbook(prev / f"forecast_{T - 1}.xlsx")["Оценка прошлого прогноза"]
    assert "[evaluation] previous" in old["A1"].value
    sig = _read(cur / "programme_signals.csv")
    assert tuple(sig.columns) == PROGRAMME_SIGNALS_COLUMNS
    ws = wb["Обновление программ"]
    n_base = int((sig["scenario"] == "base").sum())
    shown = [r for r in range(2, len(sig) + 2) if not ws.row_dimensions[r].hidden]
    assert len(shown) == n_base and all(ws.cell(row=r, column=10).value for r in shown)


def test_previous_folder_that_does_not_match_exits_2(runs, region, tmp_path, capsys, monkeypatch):
    prev, cur = runs
    text = (region / "kadry.toml").read_text(encoding="utf-8")
    import forecast.survey

    def never(*args, **kwargs):
        raise AssertionError("surveys read before the previous folder was checked")

    monkeypatch.setattr(forecast.survey, "read_surveys", never)
    # another language: refused before the long work
    en = text.replace('language = "ru"', 'language = "en"')
    (region / "kadry_en.toml").write_text(en + f'\n[evaluation]\nprevious = "{prev.as_posix()}"\n',
                                          encoding="utf-8")
    assert main(["--quiet", "run", "--config", str(region / "kadry_en.toml"),
                 "--out", str(tmp_path / "x")]) == 2
    assert "language 'ru', the current run in 'en'" in capsys.readouterr().err
    # a folder that is not an output folder
    (region / "kadry_bad.toml").write_text(text + '\n[evaluation]\nprevious = "surveys"\n',
                                           encoding="utf-8")
    assert main(["--quiet", "run", "--config", str(region / "kadry_bad.toml"),
                 "--out", str(tmp_path / "y")]) == 2
    assert "missing manifest.json, demand.csv" in capsys.readouterr().err
    # a folder that does not exist: the config names the key
    (region / "kadry_none.toml").write_text(text + '\n[evaluation]\nprevious = "nope"\n',
                                            encoding="utf-8")
    assert main(["--quiet", "run", "--config", str(region / "kadry_none.toml")]) == 2
    assert "evaluation.previous: file or folder not found" in capsys.readouterr().err
