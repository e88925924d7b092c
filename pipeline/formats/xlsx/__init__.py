"""Excel forms (.xlsx): built, filled and read, one package.

``build`` lays out a blank workbook with openpyxl (``style``, ``validation``,
``package``), ``fill`` types values into a blank's sheet XML as Excel does, ``read``
(with ``cells``, answers found by name or by label) turns a filled file back into raw
answers, and ``names`` holds the names below. It may import :mod:`pipeline.formats`'
shared modules (identity, safety, containment, strict), :mod:`pipeline.definitions`,
:mod:`pipeline.records`, :mod:`pipeline.errors` and :mod:`pipeline.fill_values`, and never
the Word or PDF package.

The contract shared by :mod:`pipeline.formats.xlsx.build`, :mod:`pipeline.formats.xlsx.fill` and
:mod:`pipeline.formats.xlsx.read` (see :mod:`pipeline.formats.xlsx.names`):

- one sheet laid out like the Word form: a label column, then the answer cells;
- every answer cell is named by a workbook-level defined name equal to its field key (a
  signature block ``person`` is ``person_signature`` and ``person_signed_on``); a key
  Excel cannot take as a name, because it reads as a cell reference (``q1``, ``r``), is
  prefixed with an underscore;
- a table is a named range of its rows, one row per entry and one column per column, in
  the definition's order, under a header row of the column labels;
- choices and yes/no answers are list validations (the labels people see; "Yes"/"No"),
  dates are real dates formatted dd/mm/yyyy with date validation, numbers have number
  validation; the sheet is protected with only the answer cells unlocked;
- the custom document properties ``PlanwatchFormId``, ``PlanwatchFormVersion`` and
  ``PlanwatchService`` name the form, as on the Word form; the stamp is printed too.
"""
