"""Classifiers: ОКВЭД2 sections, education levels and aliases, ИНН, profession codes."""

import pytest

from forecast import classifiers as cl


@pytest.mark.parametrize(
    "code,section",
    [("01", "A"), ("03.22", "A"), ("05.10", "B"), ("10.11.1", "C"), ("33.12", "C"), ("35.11", "D"),
     ("41.20", "F"), ("47.11", "G"), ("49.3", "H"), ("62.01", "J"), ("85.21", "P"),
     ("86.10", "Q"), ("99.00", "U")],
)
def test_okved_section(code, section):
    assert cl.okved_section(code) == section


@pytest.mark.parametrize("code", ["04", "34.1", "4120", "41.2.1", "41.200", "", "AB.12", "1.1"])
def test_okved_invalid(code):
    assert cl.okved_section(code) is None


def test_every_division_maps_to_a_known_section():
    assert set(cl.OKVED_DIVISIONS.values()) == set(cl.OKVED_SECTIONS)
    assert len(cl.OKVED_DIVISIONS) == 88


@pytest.mark.parametrize(
    "value,level,alias",
    [("СПО-КРС", "СПО-КРС", False), ("спо – ссз", "СПО-ССЗ", False), ("ПКРС", "СПО-КРС", True),
     ("СПО", "СПО-КРС", True), ("техник", "СПО-ССЗ", True), (" Магистр ", "ВО", True),
     ("ВО", "ВО", False), ("бо", "БО", False), ("аспирантура", None, False)],
)
def test_education(value, level, alias):
    assert cl.normalize_education(value) == (level, alias)


@pytest.mark.parametrize("inn", ["7707083893", "7736050003", "500100732259", "0274062111"])
def test_inn_valid(inn):
    assert cl.inn_is_valid(inn)


@pytest.mark.parametrize("inn", ["7707083894", "500100732258", "770708389", "77070838931", "77070838a3"])
def test_inn_invalid(inn):
    assert not cl.inn_is_valid(inn)


def test_make_inn_round_trip():
    for body in ["000000001", "123456789", "5001007322"]:
        assert cl.inn_is_valid(cl.make_inn(body))


def test_profession_codes():
    assert cl.profession_code_is_valid("01234")
    assert cl.profession_code_is_valid("7231")
    assert not cl.profession_code_is_valid("123456")
    assert not cl.profession_code_is_valid("12a45")


def test_load_professions(tmp_path):
    p = tmp_path / "okpdtr.csv"
    p.write_text("code,name\n01234,Тест\n19861,Электромонтер\n", encoding="utf-8-sig")
    assert cl.load_professions(p)["01234"] == "Тест"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n123,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        cl.load_professions(bad)
