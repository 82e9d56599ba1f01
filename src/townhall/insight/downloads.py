"""Every insight table as CSV or XLSX: the numbers as numbers (pounds, not
pence; shares as fractions), with the same columns as on the page."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from townhall.insight.report import Kind, Table, Value

# Spreadsheet programs run a cell starting with these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Value, kind: Kind) -> Value:
    if value is None:
        return None
    if kind is Kind.PENCE and isinstance(value, int | float):
        return round(value / 100, 2)
    if kind is Kind.SHARE and isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _header(table: Table) -> list[str]:
    return [
        f"{column.title} (£)" if column.kind is Kind.PENCE else column.title
        for column in table.columns
    ]


def _rows(table: Table) -> list[list[Value]]:
    return [
        [_plain(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(table))
    writer.writerows(["" if v is None else v for v in row] for row in _rows(table))
    return out.getvalue()


FORMATS = {Kind.PENCE: "£#,##0.00", Kind.SHARE: "0.0%", Kind.COUNT: "#,##0", Kind.DAYS: "0.0"}


def table_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.create_sheet(table.slug[:31])
    workbook.remove(workbook.worksheets[0])
    sheet.append(_header(table))
    for row in _rows(table):
        sheet.append(row)
    for index, column in enumerate(table.columns, start=1):
        number_format = FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
