"""Reading ``kadry.toml``: a checked, resolved :class:`Config` (interfaces.md, "Config file").

Sections ``[survey]``, ``[forecast]``, ``[demand]``, ``[quotas]`` and ``[output]`` map onto
the dataclasses of :mod:`forecast.params` (the defaults live there only). ``[quotas]`` holds
both the :class:`~forecast.params.QuotaParams` keys and the paths of the
:class:`~forecast.params.QuotaTables`; they are split here.

Choices where the contract is silent (written down here, restated in the user guide):

* Every error is a :class:`~forecast.errors.ConfigError` (exit 2) naming the key as
  ``section.key`` and, for files, the resolved path.
* Relative paths are resolved against the folder of the config file and stored absolute;
  ``output.dir`` likewise.
* The quota tables are optional as a group: with no ``programmes`` the run stops after the
  demand forecast (quota tables empty). ``programmes`` and ``mapping`` go together;
  ``colleges`` and ``enrolment`` may be left out (no colleges, no students enrolled).
* Horizon check (methodology §5): ``forecast.horizon`` must be at least
  1 + the longest ``ceil(duration_months / 12)`` of the programmes table.
* Values are type-checked (a horizon must be an integer, a share a number in [0, 1], …).

Examples
--------
>>> cfg = config_from_mapping({"survey": {"paths": ["."]}, "forecast": {"horizon": 5}}, base_dir="/tmp")
>>> cfg.forecast.horizon, cfg.output.language
(5, 'ru')
>>> config_from_mapping({"forcast": {}}, base_dir="/tmp")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
forecast.errors.ConfigError: unknown section [forcast] in the config; known sections: ...
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from forecast.errors import ConfigError
from forecast.params import (
    LANGUAGES,
    RECONCILE_METHODS,
    DemandParams,
    ForecastParams,
    OutputParams,
    QuotaParams,
    QuotaTables,
    SurveyParams,
    as_dict,
    from_mapping,
    survey_year_problem,
)

SECTIONS: tuple[str, ...] = ("survey", "forecast", "demand", "quotas", "output")
_QUOTA_PARAM_KEYS = tuple(f.name for f in dataclasses.fields(QuotaParams))
_QUOTA_TABLE_KEYS = tuple(f.name for f in dataclasses.fields(QuotaTables))


@dataclass(frozen=True)
class Config:
    """A checked configuration with absolute paths.

    Attributes
    ----------
    path : Path or None
        The config file (None when built from a mapping).
    base_dir : Path
        The folder relative paths were resolved against.
    survey, forecast, demand, quotas, tables, output :
        The parameter dataclasses of :mod:`forecast.params`; paths in ``survey``,
        ``forecast.scenario``, ``tables`` and ``output.dir`` are absolute strings.
    """

    path: Path | None
    base_dir: Path
    survey: SurveyParams = field(default_factory=SurveyParams)
    forecast: ForecastParams = field(default_factory=ForecastParams)
    demand: DemandParams = field(default_factory=DemandParams)
    quotas: QuotaParams = field(default_factory=QuotaParams)
    tables: QuotaTables = field(default_factory=QuotaTables)
    output: OutputParams = field(default_factory=OutputParams)

    def as_dict(self) -> dict[str, Any]:
        """The configuration as resolved, in the file's sections (for manifest.json)."""
        quotas = as_dict(self.quotas)
        quotas.update(as_dict(self.tables))
        return {
            "survey": as_dict(self.survey),
            "forecast": as_dict(self.forecast),
            "demand": as_dict(self.demand),
            "quotas": quotas,
            "output": as_dict(self.output),
        }

    def input_files(self) -> dict[str, str]:
        """Every input file by a stable label (survey files found under folders included).

        Labels are the config key, or ``survey/<relative path>`` for survey files.
        """
        files: dict[str, str] = {}
        if self.path is not None:
            files["config"] = str(self.path)
        for p in self.survey.paths:
            path = Path(p)
            found = sorted(q for q in path.rglob("*") if q.is_file()) if path.is_dir() else [path]
            for q in found:
                try:
                    label = q.relative_to(self.base_dir).as_posix()
                except ValueError:
                    label = q.as_posix()
                files[f"survey/{label}"] = str(q)
        if self.survey.controls:
            files["survey.controls"] = self.survey.controls
        if self.forecast.scenario:
            files["forecast.scenario"] = self.forecast.scenario
        for key in _QUOTA_TABLE_KEYS:
            value = getattr(self.tables, key)
            if value:
                files[f"quotas.{key}"] = value
        return files

    def replace(self, **sections: Any) -> "Config":
        """A copy with whole sections replaced, e.g. ``cfg.replace(output=OutputParams(...))``."""
        return dataclasses.replace(self, **sections)


def load_config(path: str | Path) -> Config:
    """Read, check and resolve ``kadry.toml``.

    Parameters
    ----------
    path : str or Path
        The config file; relative paths inside it are relative to its folder.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        Unreadable file or TOML, unknown section or key (named), a bad value, a missing
        input file (key and path named), a horizon too short for the longest programme.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    resolved = path.resolve()
    return config_from_mapping(data, base_dir=resolved.parent, path=resolved)


def config_from_mapping(
    data: dict[str, Any], base_dir: str | Path = ".", path: Path | None = None
) -> Config:
    """Build a :class:`Config` from the parsed TOML mapping (sections → dicts)."""
    base = Path(base_dir).resolve()
    if not isinstance(data, dict):
        raise ConfigError("the config must be a table of sections")
    for section, values in data.items():
        if section not in SECTIONS:
            raise ConfigError(
                f"unknown section [{section}] in the config; known sections: {', '.join(SECTIONS)}"
            )
        if not isinstance(values, dict):
            raise ConfigError(f"[{section}] must be a table of keys, not a value")

    def build(cls, section, values):
        try:
            return from_mapping(cls, values, section)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    quota_values = dict(data.get("quotas", {}))
    unknown = [k for k in quota_values if k not in _QUOTA_PARAM_KEYS + _QUOTA_TABLE_KEYS]
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in [quotas]; known keys: "
            f"{', '.join(_QUOTA_PARAM_KEYS + _QUOTA_TABLE_KEYS)}"
        )
    survey = build(SurveyParams, "survey", data.get("survey"))
    forecast = build(ForecastParams, "forecast", data.get("forecast"))
    demand = build(DemandParams, "demand", data.get("demand"))
    quotas = build(QuotaParams, "quotas", {k: v for k, v in quota_values.items() if k in _QUOTA_PARAM_KEYS})
    tables = build(QuotaTables, "quotas", {k: v for k, v in quota_values.items() if k in _QUOTA_TABLE_KEYS})
    output = build(OutputParams, "output", data.get("output"))

    survey, forecast, tables, output = _resolve_paths(base, survey, forecast, tables, output)
    _check_values(survey, forecast, demand, quotas, tables, output)
    cfg = Config(path=path, base_dir=base, survey=survey, forecast=forecast, demand=demand,
                 quotas=quotas, tables=tables, output=output)
    check_horizon(cfg)
    return cfg


# ---------------------------------------------------------------------------
def _resolve_paths(base, survey, forecast, tables, output):
    def resolve(key: str, value: Any, must_exist: bool = True) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{key} must be a path (text), got {value!r}")
        p = Path(value).expanduser()
        p = (p if p.is_absolute() else base / p).resolve()
        if must_exist and not p.exists():
            raise ConfigError(f"{key}: file or folder not found: {p}")
        return str(p)

    paths = survey.paths
    if isinstance(paths, str):
        paths = (paths,)
    if not isinstance(paths, tuple) or not paths:
        raise ConfigError("survey.paths must be a path or a list of paths")
    survey = dataclasses.replace(
        survey,
        paths=tuple(resolve("survey.paths", p) for p in paths),
        controls=resolve("survey.controls", survey.controls) if survey.controls else None,
    )
    forecast = dataclasses.replace(
        forecast,
        scenario=resolve("forecast.scenario", forecast.scenario) if forecast.scenario else None,
    )
    tables = QuotaTables(**{
        k: resolve(f"quotas.{k}", getattr(tables, k)) if getattr(tables, k) else None
        for k in _QUOTA_TABLE_KEYS
    })
    output = dataclasses.replace(output, dir=resolve("output.dir", output.dir, must_exist=False))
    return survey, forecast, tables, output


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


def _check_values(survey, forecast, demand, quotas, tables, output) -> None:
    if survey.year is not None and survey_year_problem(survey.year):
        raise ConfigError(f"survey.year {survey_year_problem(survey.year)}")
    if not _is_int(forecast.horizon) or not 1 <= forecast.horizon <= 30:
        raise ConfigError(f"forecast.horizon must be a whole number of years 1…30, got {forecast.horizon!r}")
    levels = forecast.levels
    if isinstance(levels, (int, float)):
        levels = (levels,)
    if (not isinstance(levels, tuple) or not levels
            or not all(_is_int(v) and 0 < v < 100 for v in levels)):
        raise ConfigError(f"forecast.levels must be a list of whole percentages between 0 and 100, got {forecast.levels!r}")
    if forecast.reconcile not in RECONCILE_METHODS:
        raise ConfigError(
            f"forecast.reconcile must be one of {', '.join(RECONCILE_METHODS)}, got {forecast.reconcile!r}"
        )
    for name in ("max_exit_rate", "other_exit_rate", "default_exit_rate", "vacancy_fill_share"):
        v = getattr(demand, name)
        if not _is_number(v) or not 0 <= v <= 1:
            raise ConfigError(f"demand.{name} must be a number between 0 and 1, got {v!r}")
    if not _is_number(demand.retirement_window) or demand.retirement_window <= 0:
        raise ConfigError(f"demand.retirement_window must be a positive number of years, got {demand.retirement_window!r}")
    for name in ("coverage_share", "default_employment_rate"):
        v = getattr(quotas, name)
        if not _is_number(v) or not 0 < v <= 1:
            raise ConfigError(f"quotas.{name} must be a number in (0, 1], got {v!r}")
    if not _is_number(quotas.default_dropout) or not 0 <= quotas.default_dropout < 1:
        raise ConfigError(f"quotas.default_dropout must be a number in [0, 1), got {quotas.default_dropout!r}")
    if not _is_int(quotas.min_group) or quotas.min_group < 0:
        raise ConfigError(f"quotas.min_group must be a whole number ≥ 0, got {quotas.min_group!r}")
    if quotas.total_places is not None and (not _is_int(quotas.total_places) or quotas.total_places < 0):
        raise ConfigError(f"quotas.total_places must be a whole number ≥ 0, got {quotas.total_places!r}")
    if output.language not in LANGUAGES:
        raise ConfigError(f"output.language must be one of {', '.join(LANGUAGES)}, got {output.language!r}")
    if bool(tables.programmes) != bool(tables.mapping):
        missing = "mapping" if tables.programmes else "programmes"
        raise ConfigError(f"quotas.{missing} is required when quotas.programmes/mapping is given")


def programme_years(programmes_path: str | Path) -> dict[str, int]:
    """``ceil(duration_months / 12)`` per programme code of a programmes table.

    Raises ConfigError naming the table, row and value for a bad duration.
    """
    try:
        from forecast.tabular import read_text_table

        table = read_text_table(programmes_path)
    except Exception as exc:  # noqa: BLE001 - any unreadable table is a config error
        raise ConfigError(f"quotas.programmes: cannot read {programmes_path}: {exc}") from None
    table.columns = [str(c).strip() for c in table.columns]
    for col in ("code", "duration_months"):
        if col not in table.columns:
            raise ConfigError(f"quotas.programmes: {programmes_path} has no column {col!r}")
    years: dict[str, int] = {}
    for i, (code, months) in enumerate(zip(table["code"], table["duration_months"]), start=2):
        try:
            m = float(str(months).strip().replace(",", "."))
        except ValueError:
            m = float("nan")
        if not math.isfinite(m) or m <= 0:
            raise ConfigError(
                f"quotas.programmes: {programmes_path} line {i}, column duration_months: "
                f"{months!r} is not a positive number of months"
            )
        years[str(code).strip()] = math.ceil(m / 12 - 1e-9)
    return years


def check_horizon(cfg: Config) -> None:
    """Methodology §5: the horizon reaches 1 + the longest ``ceil(duration/12)`` (ConfigError)."""
    if not cfg.tables.programmes:
        return
    years = programme_years(cfg.tables.programmes)
    if not years:
        return
    code = max(sorted(years), key=lambda c: years[c])
    need = 1 + years[code]
    if cfg.forecast.horizon < need:
        raise ConfigError(
            f"forecast.horizon = {cfg.forecast.horizon} is too short: programme {code} takes "
            f"{years[code]} years, so students admitted in T+1 graduate in T+{need}; "
            f"set forecast.horizon to at least {need}"
        )


__all__ = ["Config", "load_config", "config_from_mapping", "check_horizon", "programme_years", "SECTIONS"]
