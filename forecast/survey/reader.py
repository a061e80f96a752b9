"""``read_surveys``: files and folders → :class:`~forecast.survey.report.SurveyData`.

Files are read independently (each failure caught and reported as one file-level issue, the
batch goes on), in worker processes across the machine's cores when there are many
(params.PARALLEL_MIN_FILES); results come back in file order, so the report is the same as
one process's. The rows of all files are then validated, superseded, merged and weighted
together, vectorised over the whole batch.

Workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) are read by their content
(:mod:`forecast.survey.workbook`); data sheets by survey-format.md's rule: where a sheet is
named ``Потребность``, the visible sheets whose names begin with it, else every visible sheet
with a header in its first 30 rows; hidden sheets never.

Choices where the contract is silent: a path given twice is read once; paths given
explicitly are read in the order given (folders expand in code-point order of the relative
path), but which of two equal-dated submissions is "later" is decided by code-point order of
the paths, never by the order of the arguments;
a CSV's ``sheet`` is null; an empty CSV is E_NO_HEADER; a data sheet named
``Потребность…`` without a header fails the file with E_NO_HEADER (no fall-back to other
sheets); a CSV whose header only shows when decoded as cp866, KOI8-R or Mac Cyrillic is
E_FILE_UNREADABLE (another encoding), not E_NO_HEADER; an entry of a folder that is not a
regular file (a broken symbolic link, a pipe) and a symbolic link to a folder (not followed:
links may loop) are listed under ``skipped`` with a reason.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.classifiers import normalize_label
from forecast.columns import ISSUE_COLUMNS, SURVEY_FRAME_COLUMNS
from forecast.errors import ConfigError
from forecast.params import HEADER_SCAN_ROWS, PARALLEL_MIN_FILES, survey_year_problem
from forecast.survey import outcomes
from forecast.survey.cells import column_text
from forecast.survey.layout import Table, build_table, find_header, resolve_need_years
from forecast.survey.physical import FileError, Grid, Work, check_size, csv_records, read_csv_text
from forecast.survey.report import SurveyData
from forecast.survey.rows import concat_tables, validate_rows
from forecast.survey.schema import FILE_CODES, Detail, messages, severity, skip_reason
from forecast.survey.weights import apply_weights, load_controls
from forecast.survey.workbook import Book

DATA_SHEET = "Потребность"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
READ_SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")
#: why a file of another kind is not read, by suffix (survey-format.md: "listed under
#: skipped with a reason")
_SKIP_REASONS = {
    **dict.fromkeys((".doc", ".docx", ".rtf", ".odt", ".txt"), "text_document"),
    ".pdf": "pdf",
    **dict.fromkeys((".zip", ".rar", ".7z"), "archive"),
}
_SKIP_OTHER = "other"  # keys of schema.SKIP_REASONS (English and Russian texts)


def display_name(p: Path) -> str:
    r"""The path as reported: file names that are not valid UTF-8 (a zip made on Windows and
    unpacked here, say) show their odd bytes as ``\xNN`` instead of breaking the report.

    >>> import os
    >>> display_name(Path("a/Потребность.xlsx")), display_name(Path(os.fsdecode(b"a/\xcf\xee.xlsx")))
    ('a/Потребность.xlsx', 'a/\\xcf\\xee.xlsx')
    """
    return p.as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _walk(root: Path):
    """Every entry below ``root`` that is not a folder, and symbolic links to folders (not
    followed: links may loop): (relative posix path, path, DirEntry)."""
    stack = [(root, "")]
    while stack:
        folder, rel = stack.pop()
        with os.scandir(folder) as it:
            for e in it:
                r = f"{rel}{e.name}"
                if e.is_dir(follow_symlinks=False):
                    stack.append((Path(e.path), r + "/"))
                else:
                    yield r, Path(e.path), e


def collect_files(paths) -> tuple[list[Path], list[dict]]:
    """Expand files and folders; return the files to read and the skipped ones."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    skipped: list[dict] = []
    seen: set[tuple[int, int]] = set()

    def consider(p: Path, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)  # the same file under two names is read once
        if key in seen:
            return
        seen.add(key)
        if p.name.startswith("~$") or (p.name.startswith(".~lock.") and p.name.endswith("#")):
            skipped.append({"file": display_name(p), **skip_reason("lock_file")})
        elif p.suffix.lower() not in READ_SUFFIXES:
            skipped.append({"file": display_name(p),
                            **skip_reason(_SKIP_REASONS.get(p.suffix.lower(), _SKIP_OTHER))})
        else:
            files.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            # anything that is neither a folder nor a file (a broken link, a pipe) is listed
            # as skipped: nothing below the folder goes unreported
            for _, q, entry in sorted(_walk(p), key=lambda t: t[0]):
                if entry.is_file():
                    consider(q, entry.stat())
                elif entry.is_dir():
                    skipped.append({"file": display_name(q),
                                    **skip_reason("folder_link")})
                else:
                    skipped.append({"file": display_name(q),
                                    **skip_reason("not_regular")})
        elif p.is_file():
            consider(p, p.stat())
        else:
            raise ConfigError(f"survey path not found: {p}")
    return files, skipped


def _read_workbook(path: Path, work: Work) -> list[Table]:
    book = Book(path, work)
    names = book.sheet_names
    grids: list[tuple[Grid, object]] = []
    if any(normalize_label(n) == normalize_label(DATA_SHEET) for n in book.all_names):
        data = [n for n in names if normalize_label(n).startswith(normalize_label(DATA_SHEET))]
        for n in data:
            grid = book.grid(n)
            h = find_header(grid)
            if h is None:
                raise FileError("E_NO_HEADER", Detail.of("of_sheet", sheet=n))
            grids.append((grid, h))
    else:
        for n in names:
            if find_header(book.head(n)) is not None:
                grid = book.grid(n)
                grids.append((grid, find_header(grid)))
    if not grids:
        raise FileError("E_NO_HEADER", Detail.of("of_any_sheet", sheets=", ".join(map(repr, names)))
                        if names else Detail.of("of_no_sheet"))
    tables = [build_table(g, h, work) for g, h in grids]
    resolve_need_years(tables)
    return tables


def _read_csv(path: Path, work: Work) -> list[Table]:
    text = read_csv_text(path)
    if not text.strip():
        raise FileError("E_NO_HEADER", Detail.of("empty_file"))
    best = None
    for delim in (";", ","):
        head = csv_records(text, delim, work, limit=HEADER_SCAN_ROWS + 1)
        h = find_header(head)
        if h is not None:
            # prefer the delimiter whose header row has more cells
            width = sum(1 for c in head.rows[h.index] if str(c).strip())
            if best is None or width > best[2]:
                best = (delim, h, width)
    if best is None:
        enc = _other_cyrillic_encoding(path, work)
        if enc:
            raise FileError("E_FILE_UNREADABLE", Detail.of("other_encoding", encoding=enc))
        raise FileError("E_NO_HEADER", "")
    grid = csv_records(text, best[0], work)
    tables = [build_table(grid, find_header(grid), work)]
    resolve_need_years(tables)
    return tables


#: encodings a Russian CSV may come in besides the two the contract reads (Excel's
#: "CSV (MS-DOS)" is cp866): named in an E_FILE_UNREADABLE rather than an E_NO_HEADER
_OTHER_CYRILLIC = (("cp866", "DOS (cp866)"), ("koi8_r", "KOI8-R"), ("mac_cyrillic", "Mac Cyrillic"))


def _other_cyrillic_encoding(path: Path, work: Work) -> str | None:
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
            if find_header(csv_records(text, delim, work, limit=HEADER_SCAN_ROWS + 1)) is not None:
                return name
    return None


def read_file(path: Path, work: Work | None = None) -> list[Table]:
    """Read one file into its :class:`Table` s (one per data sheet); raises FileError for a
    file-level failure. ``work`` (optional) receives the work done, for limits and tests."""
    work = Work() if work is None else work
    check_size(path)
    tables = _read_csv(path, work) if path.suffix.lower() == ".csv" else _read_workbook(path, work)
    for t in tables:
        t.texts = {k: column_text(v) for k, v in t.columns.items()}
    return tables


def _read_one(path: Path) -> list[Table] | FileError:
    try:
        return read_file(path)
    except FileError as exc:
        return exc
    except RecursionError as exc:
        return FileError("E_FILE_UNREADABLE", Detail.of("error", error=f"{type(exc).__name__}: {exc}"))
    except MemoryError:
        return FileError("E_FILE_TOO_LARGE", Detail.of("out_of_memory"))
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — calamine's Rust panics are BaseExceptions;
        # never a traceback: one bad file never stops the batch
        return FileError("E_FILE_UNREADABLE", Detail.of("error", error=f"{type(exc).__name__}: {exc}"))


def _workers(n_files: int) -> int:
    """Worker processes for ``n_files`` files: one per usable core, none for few files."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    if n_files < PARALLEL_MIN_FILES or cores < 2:
        return 0
    return min(cores, -(-n_files // (PARALLEL_MIN_FILES // 2)))


def _read_all(files: list[Path], progress: bool):
    """Results of :func:`_read_one` for ``files``, in order; in worker processes when many."""
    n = _workers(len(files))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), desc="survey files", unit="file")
    try:
        if n == 0:
            for p in files:
                yield _read_one(p)
                if bar is not None:
                    bar.update()
            return
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # fork is cheapest; from a process running other threads (a dask scheduler, say)
        # workers start from a forkserver instead, never from a copy of those threads
        methods = mp.get_all_start_methods()
        if "fork" in methods and threading.active_count() == 1:
            ctx = mp.get_context("fork")
        else:
            ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
            if ctx.get_start_method() == "forkserver":
                ctx.set_forkserver_preload(["forecast.survey.reader"])
        chunk = max(1, min(64, len(files) // (n * 8)))
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
            for res in pool.map(_read_one, files, chunksize=chunk):
                yield res
                if bar is not None:
                    bar.update()
    finally:
        if bar is not None:
            bar.close()


def read_surveys(paths, controls=None, *, progress: bool = False,
                 survey_year: int | None = None) -> SurveyData:
    """Read and validate employer survey forms (survey-format.md).

    Parameters
    ----------
    paths : str, Path or list of them
        Files (.xlsx, .xlsm, .xls, .xlsb, .ods, .csv) and folders (read recursively,
        sorted by relative path).
    controls : str, Path, DataFrame or None
        Control totals ``survey_year,okved_section,employment`` for post-stratification.
    progress : bool
        Show a progress bar over files (tqdm).
    survey_year : int or None
        The survey year T of the run (``[survey] year``): rows of later years are rejected
        with E_SURVEY_YEAR. None: no bound but the contract's 2000–2100.

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
    if survey_year is not None and survey_year_problem(survey_year):
        raise ConfigError(f"survey year {survey_year_problem(survey_year)}")
    files, skipped = collect_files(paths)
    ctl = load_controls(controls) if controls is not None else None
    tables: list[tuple[int, str, Table]] = []
    file_issues: list[dict] = []
    rows = _RowChunks(survey_year)
    for idx, (path, res) in enumerate(zip(files, _read_all(files, progress))):
        name = display_name(path)
        if isinstance(res, FileError):
            file_issues.append({"_file_idx": idx, "file": name, "sheet": None, "row": None,
                                "column": None, "value": None, "code": res.code,
                                **messages(res.code, res.facts)})
            continue
        for t in res:
            tables.append((idx, name, t))
            rows.add(idx, name, t)
            for row, col, value, code, detail in t.warnings:
                file_issues.append({"_file_idx": idx, "file": name, "sheet": t.sheet, "row": row,
                                    "column": col, "value": value, "code": code,
                                    **messages(code, detail)})
    parsed, issues = rows.result()
    return _assemble(files, skipped, tables, file_issues, ctl, controls, parsed, issues)


class _RowChunks:
    """The row rules run chunk by chunk while the workers still read: they are row-local,
    so the parsed rows and issues are those of one pass over the whole batch (the issue
    list is sorted at the end)."""

    FILES = 256

    def __init__(self, survey_year):
        self.survey_year = survey_year
        self.pending: list[tuple[int, str, Table]] = []
        self.files = 0
        self.last = None
        self.parts = 0
        self.parsed: list[pd.DataFrame] = []
        self.issues: list[dict] = []

    def add(self, idx: int, name: str, t: Table) -> None:
        self.pending.append((idx, name, t))
        if idx != self.last:
            self.files += 1
            self.last = idx
        if self.files >= self.FILES:
            self.flush()

    def flush(self) -> None:
        raw = concat_tables(self.pending, first_part=self.parts)
        formulas: dict[tuple[int, str], set[int]] = {}
        for part, (_, _, t) in enumerate(self.pending, start=self.parts):
            for key, rows in t.formulas.items():
                formulas[(part, key)] = set(rows)
        parsed, issues = validate_rows(raw, formulas, survey_year=self.survey_year)
        self.parsed.append(parsed)
        self.issues += issues
        self.parts += len(self.pending)
        self.pending, self.files, self.last = [], 0, None

    def result(self) -> tuple[pd.DataFrame, list[dict]]:
        if self.pending or not self.parsed:
            self.flush()
        parsed = self.parsed[0] if len(self.parsed) == 1 else pd.concat(self.parsed, ignore_index=True)
        return parsed, self.issues


def _assemble(files, skipped, tables, file_issues, ctl, controls_src, parsed, issues) -> SurveyData:
    issues = file_issues + issues
    issues += outcomes.plausibility(parsed)
    totals = [(part, idx, name, t.sheet, r, seg, cells)
              for part, (idx, name, t) in enumerate(tables) for r, seg, cells in t.totals]
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
    issues += outcomes.thin_waves(frame)
    src = controls_src if isinstance(controls_src, (str, Path)) else "controls"
    frame, coverage, w_issues = apply_weights(frame, ctl, str(src))
    issues += w_issues
    frame = frame[list(SURVEY_FRAME_COLUMNS)].reset_index(drop=True)
    frame["row"] = frame["row"].astype("int64")

    n_failed = sum(1 for i in file_issues if i["code"] in FILE_CODES)
    counts = {"files": len(files), "files_failed": n_failed, "rows_read": int(len(parsed)),
              "accepted": int(len(frame)), "merged": int(merged.sum()),
              "superseded": int(superseded.sum()), "rejected": int(rejected.sum())}
    issue_frame, messages_ru = _issue_frame(issues)
    return SurveyData(frame=frame, issues=issue_frame, coverage=coverage,
                      skipped=skipped, counts=counts, messages_ru=messages_ru)


_COL_ORDER = {k: i for i, k in enumerate(SURVEY_FRAME_COLUMNS)}


def _issue_frame(issues: list[dict]) -> tuple[pd.DataFrame, pd.Series]:
    """The contract's issues frame (English messages) and the Russian messages, row for row."""
    if not issues:
        return (pd.DataFrame({c: pd.Series([], dtype=object) for c in ISSUE_COLUMNS}),
                pd.Series([], dtype=object))
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
    return (pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()}),
            pd.Series(list(df["message_ru"]), dtype=object))
