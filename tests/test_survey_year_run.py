"""The survey year of a run (issue 11, item 4): three stray rows dated 2031 must not move the
forecast to 2031. ``[survey] year`` pins T (later rows E_SURVEY_YEAR); without it, the thin
2031 wave is reported (W_THIN_WAVE)."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.pipeline import run
from forecast.survey import read_surveys

T = 2026
HEADER = ("survey_year;inn;employer;okved;profession_code;profession;education;headcount;need_1\n")


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    from forecast.sample import generate_region, write_region

    folder = tmp_path_factory.mktemp("region")
    write_region(generate_region(seed=11, n_employers=30, first_wave=2022, last_wave=T, horizon=5), folder)
    stray = folder / "surveys" / "stray_2031.csv"
    stray.write_text(HEADER + "".join(f"2031;7707083893;ООО «Ромашка»;41.20;1268{i};Каменщик;СПО-КРС;10;1\n"
                                      for i in range(3)), encoding="utf-8")
    return folder


def test_unpinned_thin_wave_is_reported(region):
    data = read_surveys(region / "surveys")
    thin = data.issues[data.issues["code"] == "W_THIN_WAVE"]
    assert len(thin) == 1 and "2031" in thin["message"].iloc[0]
    assert thin["file"].iloc[0] is None and thin["row"].iloc[0] is None


def test_pinned_year_rejects_later_rows_and_fixes_t(region):
    toml = (region / "kadry.toml").read_text(encoding="utf-8")
    assert "[survey]\n" in toml
    (region / "pinned.toml").write_text(toml.replace("[survey]\n", f"[survey]\nyear = {T}\n", 1), encoding="utf-8")
    result = run(region / "pinned.toml")
    assert result.survey_year == T
    iss = result.survey.issues
    bad = iss[iss["code"] == "E_SURVEY_YEAR"]
    assert len(bad) == 3 and set(bad["value"]) == {"2031"}
    assert all("after the survey year of this run" in m for m in bad["message"])
    assert (result.survey.frame["survey_year"] <= T).all()
    assert int(result.demand["year"].min()) <= T < int(result.demand["year"].max())


def test_unpinned_stray_year_with_a_scenario_points_at_the_stray_rows(region):
    """The sample region's scenario reaches T + 7; taken from the stray rows, T = 2031 would
    need 2038. The error must not only say "extend the scenario" but name the thin wave and
    the way out ([survey] year)."""
    from forecast.errors import ConfigError

    toml = (region / "kadry.toml").read_text(encoding="utf-8")
    assert "scenario" in toml
    with pytest.raises(ConfigError) as e:
        run(region / "kadry.toml")
    msg = str(e.value)
    assert "ends in" in msg and "W_THIN_WAVE" in msg and "2031" in msg
    assert "`[survey] year = 2026`" in msg          # the wave before the stray one


def test_a_missing_control_row_is_said_on_the_console(region, capsys):
    """One section-year missing from controls.csv changes the weighting of a whole section's
    history: the warning goes to the console too, not only to the report."""
    from forecast.pipeline import run_command

    lines = (region / "controls.csv").read_text(encoding="utf-8").splitlines()
    gone = next(i for i, line in enumerate(lines) if line.startswith("2024,C,"))
    (region / "controls_gap.csv").write_text("\n".join(lines[:gone] + lines[gone + 1:]) + "\n",
                                            encoding="utf-8")
    toml = (region / "kadry.toml").read_text(encoding="utf-8")
    toml = toml.replace("[survey]\n", f"[survey]\nyear = {T}\n", 1).replace(
        'controls = "controls.csv"', 'controls = "controls_gap.csv"').replace(
        'dir = "out/2026"', 'dir = "out/gap"')
    (region / "gap.toml").write_text(toml, encoding="utf-8")
    run_command(region / "gap.toml")
    err = capsys.readouterr().err
    assert "kadry: warning: W_NO_CONTROL:" in err and "2024" in err and "C" in err
