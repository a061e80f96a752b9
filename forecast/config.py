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
* The quota tables are read and checked here, once a run, by
  :func:`forecast.quotas.check_tables` (duplicated codes, negative capacity, mapping
  weights, enrolment …: InputError naming table, row, column and value, exit 2), with the
  horizon check of methodology §5: ``forecast.horizon`` must be at least
  1 + the longest ``ceil(duration_months / 12)`` of the programmes table. The checked tables
  travel in ``Config.quota_inputs``.
* The ``[quotas]`` parameters are checked by the rules of :mod:`forecast.quotas.checks`,
  the same that ``derive_quotas(params=...)`` applies.
* ``[evaluation] previous`` (optional) is last year's output folder, resolved like the
  other paths and required to exist; the run checks it matches (methodology §8).
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
import glob
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from forecast.errors import ConfigError
from forecast.tabular import decode_text
from forecast.params import (
    LANGUAGES,
    NATIONAL_CODE,
    REGION_CODE_PATTERN,
    DaskParams,
    check_reconcile,
    DemandParams,
    EvaluationParams,
    ForecastParams,
    NationalParams,
    OutputParams,
    QuotaParams,
    QuotaTables,
    RegionParams,
    SurveyParams,
    as_dict,
    from_mapping,
    survey_year_problem,
)
from forecast.quotas.checks import check_params as check_quota_params
from forecast.quotas.checks import check_tables

SECTIONS: tuple[str, ...] = ("survey", "forecast", "demand", "quotas", "evaluation", "region", "output")
#: sections of ``national.toml`` (:func:`load_national_config`)
NATIONAL_SECTIONS: tuple[str, ...] = ("national", "dask", "output")
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
    region : RegionParams
        ``[region]`` code and name (both None when the section is absent).
    """

    path: Path | None
    base_dir: Path
    survey: SurveyParams = field(default_factory=SurveyParams)
    forecast: ForecastParams = field(default_factory=ForecastParams)
    demand: DemandParams = field(default_factory=DemandParams)
    quotas: QuotaParams = field(default_factory=QuotaParams)
    tables: QuotaTables = field(default_factory=QuotaTables)
    output: OutputParams = field(default_factory=OutputParams)
    region: RegionParams = field(default_factory=RegionParams)
    evaluation: EvaluationParams = field(default_factory=EvaluationParams)
    #: the quota tables as read and checked at configuration time
    #: (:func:`forecast.quotas.check_tables`; None without ``[quotas] programmes``): the run
    #: uses them, so each table is read once a run
    quota_inputs: Any = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The configuration as resolved, in the file's sections (for manifest.json).

        ``region`` is there only when the config has a ``[region]`` section, so manifests
        of configs without one are unchanged.
        """
        quotas = as_dict(self.quotas)
        quotas.update(as_dict(self.tables))
        out = {
            "survey": as_dict(self.survey),
            "forecast": as_dict(self.forecast),
            "demand": as_dict(self.demand),
            "quotas": quotas,
            "evaluation": as_dict(self.evaluation),
            "output": as_dict(self.output),
        }
        if self.region != RegionParams():
            out["region"] = as_dict(self.region)
        return out

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
        if self.evaluation.previous:
            for name in ("manifest.json", "demand.csv", "quotas_programmes.csv"):
                files[f"evaluation.previous/{name}"] = str(Path(self.evaluation.previous) / name)
        return files

    def replace(self, **sections: Any) -> "Config":
        """A copy with whole sections replaced, e.g. ``cfg.replace(output=OutputParams(...))``."""
        return dataclasses.replace(self, **sections)


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed TOML of a config file; every failure a ConfigError saying what to fix
    (a Windows path in double quotes gets a hint: TOML reads ``\\U``, ``\\n`` as escapes)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        # Notepad on a Russian Windows may save "ANSI" (Windows-1251): read it like the tables
        data = tomllib.loads(decode_text(raw))
    except ValueError as exc:
        if not isinstance(exc, tomllib.TOMLDecodeError):
            raise ConfigError(f"config file {path}: {exc}") from None
        hint = ""
        m = re.search(r"line (\d+)", str(exc))
        text = raw.decode("utf-8-sig", errors="replace").splitlines()
        line = text[int(m.group(1)) - 1] if m and 0 < int(m.group(1)) <= len(text) else ""
        if "\\" in line or "escape" in str(exc).lower():
            # C:\Users\... in "double quotes": TOML reads \U, \n … as escapes
            hint = (" — a Windows path in \"double quotes\" needs / instead of \\ "
                    "(\"C:/data/surveys\") or 'single quotes' ('C:\\data\\surveys')")
        raise ConfigError(f"config file {path} is not valid TOML: {exc}{hint}") from None
    return data


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
    data = read_toml(path)
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
    if _is_int(forecast.levels):  # `levels = 80`: one level, as `levels = [80]`
        forecast = dataclasses.replace(forecast, levels=(forecast.levels,))
    demand = build(DemandParams, "demand", data.get("demand"))
    quotas = build(QuotaParams, "quotas", {k: v for k, v in quota_values.items() if k in _QUOTA_PARAM_KEYS})
    tables = build(QuotaTables, "quotas", {k: v for k, v in quota_values.items() if k in _QUOTA_TABLE_KEYS})
    output = build(OutputParams, "output", data.get("output"))
    evaluation = build(EvaluationParams, "evaluation", data.get("evaluation"))
    region = build(RegionParams, "region", data.get("region"))

    survey, forecast, tables, output = _resolve_paths(base, survey, forecast, tables, output)
    if evaluation.previous is not None:
        evaluation = EvaluationParams(previous=_resolve(base, "evaluation.previous",
                                                        evaluation.previous))
    _check_values(survey, forecast, demand, quotas, tables, output)
    _check_region(region)
    cfg = Config(path=path, base_dir=base, survey=survey, forecast=forecast, demand=demand,
                 quotas=quotas, tables=tables, output=output, evaluation=evaluation,
                 region=region)
    return dataclasses.replace(cfg, quota_inputs=check_horizon(cfg))


# ---------------------------------------------------------------------------
def _resolve(base: Path, key: str, value: Any, must_exist: bool = True) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} must be a path (text), got {value!r}")
    p = Path(value).expanduser()
    p = (p if p.is_absolute() else base / p).resolve()
    if must_exist and not p.exists():
        raise ConfigError(f"{key}: file or folder not found: {p}")
    return str(p)


def _resolve_paths(base, survey, forecast, tables, output):
    def resolve(key: str, value: Any, must_exist: bool = True) -> str:
        return _resolve(base, key, value, must_exist)

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
    if (not isinstance(levels, tuple) or not levels
            or not all(_is_int(v) and 0 < v < 100 for v in levels)):
        raise ConfigError(f"forecast.levels must be a list of whole percentages between 0 and 100, "
                          f"e.g. levels = [80, 95]; got {forecast.levels!r}")
    if len(set(levels)) != len(levels):
        raise ConfigError(f"forecast.levels lists a level twice: {list(levels)!r}")
    try:
        check_reconcile(forecast.reconcile)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    for name in ("max_exit_rate", "other_exit_rate", "default_exit_rate", "vacancy_fill_share"):
        v = getattr(demand, name)
        if not _is_number(v) or not 0 <= v <= 1:
            raise ConfigError(f"demand.{name} must be a number between 0 and 1, got {v!r}")
    if not _is_number(demand.retirement_window) or demand.retirement_window <= 0:
        raise ConfigError(f"demand.retirement_window must be a positive number of years, got {demand.retirement_window!r}")
    check_quota_params(quotas)  # the one set of rules, shared with forecast.quotas
    if output.language not in LANGUAGES:
        raise ConfigError(f"output.language must be one of {', '.join(LANGUAGES)}, got {output.language!r}")
    if bool(tables.programmes) != bool(tables.mapping):
        missing = "mapping" if tables.programmes else "programmes"
        raise ConfigError(f"quotas.{missing} is required when quotas.programmes/mapping is given")


def _check_region(region: RegionParams) -> None:
    code, name = region.code, region.name
    if code is not None:
        if not isinstance(code, str) or not re.fullmatch(REGION_CODE_PATTERN, code):
            raise ConfigError(f"region.code must be text (in quotes) of 1–32 letters, digits, "
                              f"'-' or '_' (it names the region's folder), got {code!r}")
        if code.upper() == NATIONAL_CODE:
            raise ConfigError(f"region.code {code!r} is reserved for the national sums")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ConfigError(f"region.name must be non-empty text, got {name!r}")


@dataclass(frozen=True)
class NationalConfig:
    """A checked ``national.toml`` (interfaces.md, "National run").

    Attributes
    ----------
    path : Path or None
        The file (None when built from a mapping).
    base_dir : Path
    national : NationalParams
        ``regions`` holds the regions' ``kadry.toml`` files: globs expanded (sorted), paths
        absolute, each file once, in the order listed.
    dask : DaskParams
    output : OutputParams
        ``dir`` absolute (default ``out/national`` next to the file).
    """

    path: Path | None
    base_dir: Path
    national: NationalParams
    dask: DaskParams
    output: OutputParams

    def as_dict(self) -> dict[str, Any]:
        """The configuration as resolved (for the national manifest.json)."""
        return {"national": as_dict(self.national), "dask": as_dict(self.dask),
                "output": as_dict(self.output)}


#: ``[output] dir`` of national.toml when absent (relative to the file)
NATIONAL_OUTPUT_DIR = "out/national"


def load_national_config(path: str | Path) -> NationalConfig:
    """Read, check and resolve ``national.toml``.

    Raises
    ------
    ConfigError
        Unreadable file or TOML, unknown section or key (named), a bad value, a listed
        region config that does not exist or a glob that matches nothing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.toml").write_text("[survey]\\npaths = ['.']\\n")
    >>> cfg = national_config_from_mapping({"national": {"regions": ["*.toml"]},
    ...                                     "dask": {"workers": 0}}, base_dir=d)
    >>> [pathlib.Path(p).name for p in cfg.national.regions], cfg.dask.workers
    (['a.toml'], 0)
    """
    path = Path(path)
    data = read_toml(path)
    resolved = path.resolve()
    return national_config_from_mapping(data, base_dir=resolved.parent, path=resolved)


def national_config_from_mapping(data: dict[str, Any], base_dir: str | Path = ".",
                                 path: Path | None = None) -> NationalConfig:
    """Build a :class:`NationalConfig` from the parsed TOML mapping."""
    base = Path(base_dir).resolve()
    for section, values in data.items():
        if section not in NATIONAL_SECTIONS:
            raise ConfigError(f"unknown section [{section}] in the national config; known "
                              f"sections: {', '.join(NATIONAL_SECTIONS)}")
        if not isinstance(values, dict):
            raise ConfigError(f"[{section}] must be a table of keys, not a value")
    try:
        national = from_mapping(NationalParams, data.get("national"), "national")
        dask = from_mapping(DaskParams, data.get("dask"), "dask")
        output = from_mapping(OutputParams, {"dir": NATIONAL_OUTPUT_DIR, **data.get("output", {})}, "output")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not isinstance(national.name, str):
        raise ConfigError(f"national.name must be text, got {national.name!r}")
    entries = (national.regions,) if isinstance(national.regions, str) else national.regions
    if not isinstance(entries, tuple) or not entries or not all(isinstance(e, str) and e.strip() for e in entries):
        raise ConfigError("national.regions must be a non-empty list of paths or globs of the "
                          "regions' kadry.toml files")
    found: list[str] = []
    for entry in entries:
        p = Path(entry).expanduser()
        pattern = str(p if p.is_absolute() else base / p)
        if glob.has_magic(pattern):
            matches = sorted(str(Path(m).resolve()) for m in glob.glob(pattern, recursive=True)
                             if Path(m).is_file())
            if not matches:
                raise ConfigError(f"national.regions: no file matches {pattern}")
        else:
            if not Path(pattern).is_file():
                raise ConfigError(f"national.regions: file not found: {Path(pattern).resolve()}")
            matches = [str(Path(pattern).resolve())]
        found += [m for m in matches if m not in found]  # overlapping globs: each file once
    if not isinstance(dask.scheduler, str):
        raise ConfigError(f"dask.scheduler must be text (an address such as "
                          f"'tcp://10.0.0.5:8786', or empty), got {dask.scheduler!r}")
    if dask.workers is not None and (not _is_int(dask.workers) or dask.workers < 0):
        raise ConfigError(f"dask.workers must be a whole number ≥ 0, got {dask.workers!r}")
    if output.language not in LANGUAGES:
        raise ConfigError(f"output.language must be one of {', '.join(LANGUAGES)}, got {output.language!r}")
    if not isinstance(output.dir, str) or not output.dir.strip():
        raise ConfigError(f"output.dir must be a path (text), got {output.dir!r}")
    out_dir = Path(output.dir).expanduser()
    output = dataclasses.replace(output, dir=str((out_dir if out_dir.is_absolute() else base / out_dir).resolve()))
    national = dataclasses.replace(national, regions=tuple(found))
    return NationalConfig(path=path, base_dir=base, national=national, dask=dask, output=output)


def check_output_dir(cfg: Config) -> None:
    """The output folder must not lie inside a survey folder (ConfigError, exit 2): next
    year's run would read this year's demand.csv and quota tables as employers' forms.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_dir(config_from_mapping({"survey": {"paths": ["."]},
    ...                                       "output": {"dir": "out"}}, base_dir=d))
    Traceback (most recent call last):
    ...
    forecast.errors.ConfigError: output.dir ... is inside the survey folder ...
    """
    out = Path(cfg.output.dir).resolve()
    for p in cfg.survey.paths:
        folder = Path(p).resolve()
        if folder.is_dir() and (out == folder or folder in out.parents):
            raise ConfigError(
                f"output.dir {out} is inside the survey folder {folder} (survey.paths): the "
                "next run would read the outputs as survey files; choose a folder outside it")


def check_horizon(cfg: Config):
    """The quota tables read and checked once (:func:`forecast.quotas.check_tables`), with
    methodology §5's horizon check (ConfigError); returns them (None without tables)."""
    if not cfg.tables.programmes:
        return None
    t = cfg.tables
    return check_tables(t.programmes, t.mapping, t.colleges, t.enrolment,
                        horizon=cfg.forecast.horizon)


__all__ = ["Config", "load_config", "read_toml", "check_output_dir", "config_from_mapping", "check_horizon", "SECTIONS",
           "NationalConfig", "load_national_config", "national_config_from_mapping", "NATIONAL_SECTIONS"]
