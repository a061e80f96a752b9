"""The blank employer form as OpenDocument (``kadry template OUT.ods``), written without LibreOffice.

The same form as the .xlsx of :mod:`forecast.survey.template` — sheet ``Потребность`` with
the title block (rows 1–2), the header on row 4 and the need columns in year form; the
hidden sheet ``Справочники`` (ОКВЭД2 divisions); sheet ``Инструкция`` — in the OpenDocument
XML written directly (openpyxl cannot write ods). Every text goes through XML escaping; the
package holds ``mimetype`` first and stored, as the format requires. Input rules: a
drop-down list of the education levels, whole numbers ≥ 0 in the number columns, and text
format for ИНН, ОКВЭД2 and profession codes (so leading zeros stay).

The bytes are deterministic: fixed zip dates and document dates (1 November of the survey
year).

Examples
--------
>>> import io, zipfile
>>> data = ods_bytes(2026, [("inn", "ИНН")], {}, ("inn",), 10, 4, ["Как заполнить"],
...                  ("Потребность", "Справочники", "Инструкция"))
>>> zipfile.ZipFile(io.BytesIO(data)).namelist()[0]
'mimetype'
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

from forecast.classifiers import EDUCATION_LEVELS, OKVED_DIVISIONS, OKVED_SECTIONS

MIME = "application/vnd.oasis.opendocument.spreadsheet"
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
       'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
       'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
       'xmlns:dc="http://purl.org/dc/elements/1.1/" '
       'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"')


def _cell(value=None, style: str | None = None) -> str:
    st = f' table:style-name="{style}"' if style else ""
    if value is None:
        return f"<table:table-cell{st}/>"
    if isinstance(value, int):
        return (f'<table:table-cell{st} office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell{st} office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def _row(cells: list[str], style: str | None = None) -> str:
    st = f' table:style-name="{style}"' if style else ""
    return f"<table:table-row{st}>{''.join(cells)}</table:table-row>"


def _content(year: int, cols: list[tuple[str, str]], widths: dict[str, float], text_keys: tuple[str, ...],
             input_rows: int, header_row: int, instructions: list[str], names: tuple[str, str, str]) -> bytes:
    data_sheet, lists_sheet, help_sheet = names
    col_styles = []
    defaults = []
    for j, (key, _) in enumerate(cols):
        col_styles.append(f'<style:style style:name="co{j}" style:family="table-column">'
                          f'<style:table-column-properties style:column-width="{widths.get(key, 16) * 0.19:.2f}cm"/>'
                          "</style:style>")
        num = key in ("headcount", "vacancies", "age_55plus") or key.startswith("need_")
        edu = key == "education"
        defaults.append("ctext" if key in text_keys else ("cnum" if num else ("cedu" if edu else "Default")))
    styles = (
        '<office:automatic-styles>'
        '<number:text-style style:name="NT"><number:text-content/></number:text-style>'
        '<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>'
        '<style:style style:name="ro1" style:family="table-row"><style:table-row-properties style:row-height="1.6cm"/></style:style>'
        '<style:style style:name="chead" style:family="table-cell"><style:table-cell-properties '
        'fo:background-color="#ddebf7" fo:wrap-option="wrap" style:vertical-align="top"/>'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        '<style:style style:name="ctitle" style:family="table-cell"><style:text-properties '
        'fo:font-weight="bold" fo:font-size="13pt"/></style:style>'
        '<style:style style:name="ctext" style:family="table-cell" style:data-style-name="NT"/>'
        '<style:style style:name="cnum" style:family="table-cell" style:parent-style-name="Default">'
        '<style:table-cell-properties style:cell-protect="none"/></style:style>'
        '<style:style style:name="cedu" style:family="table-cell" style:parent-style-name="Default"/>'
        + "".join(col_styles)
        + "</office:automatic-styles>"
    )
    # input rules (validations) referenced by the column default cell styles would need
    # content-validation names on cells; they are attached to the input rows' cells instead
    levels = ";".join(f"&quot;{escape(level)}&quot;" for level in EDUCATION_LEVELS)
    validations = (
        "<table:content-validations>"
        '<table:content-validation table:name="val_edu" table:condition='
        f'"of:cell-content-is-in-list({levels})" table:allow-empty-cell="true" '
        'table:display-list="unsorted"><table:error-message table:display="true" table:message-type="stop">'
        f"<text:p>{escape('Выберите уровень из списка: ' + ', '.join(EDUCATION_LEVELS))}</text:p>"
        "</table:error-message></table:content-validation>"
        '<table:content-validation table:name="val_whole" table:condition='
        '"of:cell-content-is-whole-number() and of:cell-content()&gt;=0" table:allow-empty-cell="true">'
        '<table:error-message table:display="true" table:message-type="stop">'
        "<text:p>Введите целое число ≥ 0</text:p></table:error-message></table:content-validation>"
        "</table:content-validations>"
    )
    colspec = "".join(f'<table:table-column table:style-name="co{j}" table:default-cell-style-name="{d}"/>'
                      for j, d in enumerate(defaults))
    rows = [
        _row([_cell(f"Сведения о численности работников и дополнительной потребности в кадрах, {year} г.", "ctitle")]),
        _row([_cell(f"Заполните по состоянию на ноябрь {year} г. Правила — на листе «{help_sheet}».")]),
    ]
    rows += [_row([_cell()])] * (header_row - 3)
    rows.append(_row([_cell(h, "chead") for _, h in cols], "ro1"))
    # the input rows: each cell carries its column's rule (validation) and format
    input_cells = []
    for (key, _), d in zip(cols, defaults):
        rule = ("val_edu" if key == "education" else
                "val_whole" if d == "cnum" else None)
        attr = f' table:content-validation-name="{rule}"' if rule else ""
        input_cells.append(f'<table:table-cell table:style-name="{d}"{attr}/>')
    rows.append(f'<table:table-row table:number-rows-repeated="{input_rows}">{"".join(input_cells)}</table:table-row>')
    data = (f'<table:table table:name={quoteattr(data_sheet)} table:style-name="ta1">{colspec}'
            + "".join(rows) + "</table:table>")
    lists_rows = [_row([_cell("Код ОКВЭД2 (раздел)"), _cell("Раздел"), _cell("Наименование раздела")])]
    for div, sec in sorted(OKVED_DIVISIONS.items()):
        lists_rows.append(_row([_cell(div, "ctext"), _cell(sec), _cell(OKVED_SECTIONS[sec])]))
    lists = (f'<table:table table:name={quoteattr(lists_sheet)} table:style-name="ta2">'
             '<table:table-column table:number-columns-repeated="3"/>' + "".join(lists_rows) + "</table:table>")
    help_rows = [_row([_cell(line, "ctitle" if i == 0 else None)]) for i, line in enumerate(instructions)]
    helps = (f'<table:table table:name={quoteattr(help_sheet)} table:style-name="ta1">'
             '<table:table-column/>' + "".join(help_rows) + "</table:table>")
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS}>{styles}'
           f"<office:body><office:spreadsheet>{validations}{data}{lists}{helps}"
           "</office:spreadsheet></office:body></office:document-content>")
    return xml.encode("utf-8")


def _meta(year: int) -> bytes:
    stamp = f"{year:04d}-11-01T00:00:00"
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_NS}><office:meta>'
            "<meta:generator>kadry</meta:generator><dc:title>Форма обследования работодателей</dc:title>"
            f"<meta:creation-date>{stamp}</meta:creation-date><dc:date>{stamp}</dc:date>"
            "</office:meta></office:document-meta>").encode("utf-8")


_STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_NS}><office:styles>'
           '<style:style style:name="Default" style:family="table-cell"/></office:styles>'
           "</office:document-styles>").encode("utf-8")
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{MIME}"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
             '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
             "</manifest:manifest>").encode("utf-8")


def ods_bytes(year: int, cols: list[tuple[str, str]], widths: dict[str, float], text_keys: tuple[str, ...],
              input_rows: int, header_row: int, instructions: list[str], names: tuple[str, str, str]) -> bytes:
    """The package of the form (see the module docstring); ``kadry template OUT.ods`` calls it
    through :func:`forecast.survey.template.write_template`."""
    date_time = (year, 11, 1, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data, method in (
                ("mimetype", MIME.encode("ascii"), zipfile.ZIP_STORED),
                ("content.xml", _content(year, cols, widths, text_keys, input_rows, header_row,
                                         instructions, names), zipfile.ZIP_DEFLATED),
                ("styles.xml", _STYLES, zipfile.ZIP_DEFLATED),
                ("meta.xml", _meta(year), zipfile.ZIP_DEFLATED),
                ("META-INF/manifest.xml", _MANIFEST, zipfile.ZIP_DEFLATED)):
            zi = zipfile.ZipInfo(name, date_time=date_time)
            zi.compress_type = method
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data)
    return out.getvalue()
