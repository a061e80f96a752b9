"""``read_surveys``: files and folders → :class:`~forecast.survey.report.SurveyData`.

Files are read one by one (each failure caught and reported as one file-level issue, the
batch goes on); the rows of all files are then validated, superseded, merged and weighted
together, vectorised over the whole batch.

Choices where the contract is silent: a path given twice is read once; paths given
explicitly are read in the order given (folders expand in code-point order of the relative
path), but which of two equal-dated submissions is "later" is decided by code-point order of
the paths, never by the order of the arguments;
a CSV's ``sheet`` is null; an empty CSV is E_NO_HEADER; a workbook whose sheet named
``Потребность`` has no header fails with E_NO_HEADER (no fall-back to other sheets); a CSV
whose header only shows when decoded as cp866, KOI8-R or Mac Cyrillic is E_FILE_UNREADABLE
(another encoding), not E_NO_HEADER; an entry
of a folder that is not a regular file (a broken symbolic link, a pipe) and a symbolic link
to a folder (not followed: links may loop) are listed under ``skipped`` with a reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecast.classifiers import normalize_label
from forecast.columns import ISSUE_COLUMNS, SURVEY_FRAME_COLUMNS
from forecast.errors import ConfigError
from forecast.params import HEADER_SCAN_ROWS, PARSE_SECONDS
from forecast.survey import outcomes
from forecast.survey.layout import Table, build_table, find_header
from forecast.survey.physical import (Deadline, FileError, XlsxBook, check_size, csv_records,
                                      read_csv_text)
from forecast.survey.report import SurveyData
from forecast.survey.rows import concat_tables, validate_rows
from forecast.survey.schema import FILE_CODES, message, severity
from forecast.survey.weights import apply_weights, load_controls

DATA_SHEET = "Потребность"
READ_SUFFIXES = (".xlsx", ".csv")


def display_name(p: Path) -> str:
    r"""The path as reported: file names that are not valid UTF-8 (a zip made on Windows and
    unpacked here, say) show their odd bytes as ``\xNN`` instead of breaking the report.

    >>> import os
    >>> display_name(Path("a/Потребность.xlsx")), display_name(Path(os.fsdecode(b"a/\xcf\xee.xlsx")))
    ('a/Потребность.xlsx', 'a/\\xcf\\xee.xlsx')
    """
    return p.as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def collect_files(paths) -> tuple[list[Path], list[dict]]:
    """Expand files and folders; return the files to read and the skipped ones."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    skipped: list[dict] = []
    seen: set[Path] = set()

    def consider(p: Path) -> None:
        key = p.resolve()
        if key in seen:
            return
        seen.add(key)
        if p.name.startswith("~$"):
            skipped.append({"file": display_name(p), "reason": "Office lock file (~$…), not a form"})
        elif p.suffix.lower() not in READ_SUFFIXES:
            skipped.append({"file": display_name(p), "reason": "not .xlsx or .csv"})
        else:
            files.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            # anything that is neither a folder nor a file (a broken link, a pipe) is listed
            # as skipped: nothing below the folder goes unreported
            found = [q for q in p.rglob("*") if not q.is_dir() or q.is_symlink()]
            for q in sorted(found, key=lambda q: q.relative_to(p).as_posix()):
                if q.is_file():
                    consider(q)
                elif q.is_dir():
                    skipped.append({"file": display_name(q),
                                    "reason": "a symbolic link to a folder (not followed)"})
                else:
                    skipped.append({"file": display_name(q),
                                    "reason": "not a regular file (a broken link, a pipe or a device)"})
        elif p.is_file():
            consider(p)
        else:
            raise ConfigError(f"survey path not found: {p}")
    return files, skipped


def _read_xlsx(path: Path, deadline: Deadline) -> Table:
    book = XlsxBook(path, deadline)
    names = book.sheet_names
    wanted = [n for n in names if normalize_label(n) == normalize_label(DATA_SHEET)]
    if wanted:
        choice, hidx = wanted[0], find_header(book.head(wanted[0]))
        if hidx is None:
            raise FileError("E_NO_HEADER", f" of sheet {wanted[0]!r}")
    else:
        choice = hidx = None
        for n in names:
            hidx = find_header(book.head(n))
            if hidx is not None:
                choice = n
                break
        if choice is None:
            raise FileError("E_NO_HEADER", f" of any sheet ({', '.join(map(repr, names)) or 'no sheets'})")
    return build_table(book.grid(choice), hidx, deadline)


def _read_csv(path: Path, deadline: Deadline) -> Table:
    text = read_csv_text(path)
    if not text.strip():
        raise FileError("E_NO_HEADER", " (the file is empty)")
    best = None
    for delim in (";", ","):
        head = csv_records(text, delim, deadline, limit=HEADER_SCAN_ROWS)
        h = find_header(head.rows)
        if h is not None:
            # prefer the delimiter whose header row has more cells
            width = sum(1 for c in head.rows[h] if str(c).strip())
            if best is None or width > best[2]:
                best = (delim, h, width)
    if best is None:
        enc = _other_cyrillic_encoding(path, deadline)
        if enc:
            raise FileError("E_FILE_UNREADABLE", f"the text is in {enc}, not UTF-8 or Windows-1251 "
                            "(save the CSV as UTF-8 or Windows-1251)")
        raise FileError("E_NO_HEADER", "")
    grid = csv_records(text, best[0], deadline)
    return build_table(grid, best[1], deadline)


#: encodings a Russian CSV may come in besides the two the contract reads (Excel's
#: "CSV (MS-DOS)" is cp866): named in an E_FILE_UNREADABLE rather than an E_NO_HEADER
_OTHER_CYRILLIC = (("cp866", "DOS (cp866)"), ("koi8_r", "KOI8-R"), ("mac_cyrillic", "Mac Cyrillic"))


def _other_cyrillic_encoding(path: Path, deadline: Deadline) -> str | None:
    """The name of another Cyrillic encoding in which the CSV has a header row, or None."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return None  # UTF-8 text: the header is simply not there
    except UnicodeDecodeError:
        pass
    for codec, name in _OTHER_CYRILLIC:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        for delim in (";", ","):
            if find_header(csv_records(text, delim, deadline, limit=HEADER_SCAN_ROWS).rows) is not None:
                return name
    return None


def read_file(path: Path) -> Table:
    """Read one file into a :class:`Table`; raises FileError for a file-level failure."""
    deadline = Deadline(PARSE_SECONDS)
    check_size(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path, deadline)
    return _read_xlsx(path, deadline)


def _read_one(path: Path) -> Table | FileError:
    try:
        return read_file(path)
    except FileError as exc:
        return exc
    except RecursionError as exc:
        return FileError("E_FILE_UNREADABLE", f"{type(exc).__name__}: {exc}")
    except MemoryError:
        return FileError("E_FILE_TOO_LARGE", "out of memory while reading")
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — calamine's Rust panics are BaseExceptions;
        # never a traceback: one bad file never stops the batch
        return FileError("E_FILE_UNREADABLE", f"{type(exc).__name__}: {exc}")


def read_surveys(paths, controls=None, *, progress: bool = False) -> SurveyData:
    """Read and validate employer survey forms (survey-format.md).

    Parameters
    ----------
    paths : str, Path or list of them
        Files (.xlsx, .csv) and folders (read recursively, sorted by relative path).
    controls : str, Path, DataFrame or None
        Control totals ``survey_year,okved_section,employment`` for post-stratification.
    progress : bool
        Show a progress bar over files (tqdm).

    Returns
    -------
    SurveyData
        ``frame`` (accepted rows, one per key, weighted), ``issues``, ``coverage``,
        ``skipped``, ``counts``; ``report()`` gives the JSON report.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text(
    ...     "survey_year,inn,employer,okved,profession_code,profession,education,headcount,need_1\\n"
    ...     "2026,7707083893,ПАО,64.19,24109,Бухгалтер,ВО,12,1\\n", encoding="utf-8")
    >>> s = read_surveys(d)
    >>> s.counts["accepted"], s.frame["headcount"].tolist()
    (1, [12])
    """
    files, skipped = collect_files(paths)
    ctl = load_controls(controls) if controls is not None else None
    it = files
    if progress:
        from tqdm import tqdm

        it = tqdm(files, desc="survey files", unit="file")
    tables: list[tuple[int, str, Table]] = []
    file_issues: list[dict] = []
    for idx, path in enumerate(it):
        name = display_name(path)
        res = _read_one(path)
        if isinstance(res, FileError):
            file_issues.append({"_file_idx": idx, "file": name, "sheet": None, "row": None,
                                "column": None, "value": None, "code": res.code,
                                "message": message(res.code, res.detail)})
            continue
        tables.append((idx, name, res))
        for row, col, value, code, detail in res.warnings:
            file_issues.append({"_file_idx": idx, "file": name, "sheet": res.sheet, "row": row,
                                "column": col, "value": value, "code": code,
                                "message": message(code, detail)})
    return _assemble(files, skipped, tables, file_issues, ctl, controls)


def _assemble(files, skipped, tables, file_issues, ctl, controls_src) -> SurveyData:
    raw = concat_tables(tables)
    formulas = {(idx, key): rows for idx, _, t in tables for key, rows in t.formulas.items()}
    parsed, issues = validate_rows(raw, formulas)
    issues = file_issues + issues
    issues += outcomes.plausibility(parsed)
    totals = [(idx, name, t.sheet, r, seg, cells) for idx, name, t in tables for r, seg, cells in t.totals]
    issues += outcomes.check_totals(parsed, totals)
    superseded, sup_issues = outcomes.supersede(parsed)
    issues += sup_issues
    rejected = parsed["rejected"].to_numpy()
    live = parsed[~rejected & ~superseded]
    frame, merged, merge_issues = outcomes.merge(live)
    issues += merge_issues
    frame = frame.copy()
    for k in ("survey_year", "headcount", "vacancies", *[c for c in frame.columns if c.startswith("need_")]):
        frame[k] = frame[k].astype("int64")
    issues += outcomes.jumps(frame)
    src = controls_src if isinstance(controls_src, (str, Path)) else "controls"
    frame, coverage, w_issues = apply_weights(frame, ctl, str(src))
    issues += w_issues
    frame = frame[list(SURVEY_FRAME_COLUMNS)].reset_index(drop=True)
    frame["row"] = frame["row"].astype("int64")

    n_failed = sum(1 for i in file_issues if i["code"] in FILE_CODES)
    counts = {"files": len(files), "files_failed": n_failed, "rows_read": int(len(parsed)),
              "accepted": int(len(frame)), "merged": int(merged.sum()),
              "superseded": int(superseded.sum()), "rejected": int(rejected.sum())}
    return SurveyData(frame=frame, issues=_issue_frame(issues), coverage=coverage,
                      skipped=skipped, counts=counts)


_COL_ORDER = {k: i for i, k in enumerate(SURVEY_FRAME_COLUMNS)}


def _issue_frame(issues: list[dict]) -> pd.DataFrame:
    if not issues:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ISSUE_COLUMNS})
    df = pd.DataFrame(issues)
    df["severity"] = df["code"].map(severity)
    df["_row"] = pd.to_numeric(df["row"], errors="coerce").fillna(-1).astype("int64")
    df["_col"] = df["column"].map(lambda c: _COL_ORDER.get(c, -1) if c is not None else -1)
    df["_fi"] = df["_file_idx"].replace(-1, np.iinfo(np.int64).max)
    df = df.sort_values(["_fi", "_row", "_col", "code"], kind="stable")

    def plain(v):
        return None if v is None or (isinstance(v, float) and v != v) else v

    cols = {c: [plain(v) for v in df[c]] for c in ISSUE_COLUMNS}
    cols["row"] = [None if r is None else int(r) for r in cols["row"]]
    # object columns keep ints as ints and nulls as None (no float rows in the JSON)
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})
