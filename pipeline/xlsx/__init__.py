"""Excel forms (.xlsx) built, filled and named from the form definitions.

The contract shared by :mod:`pipeline.xlsx.build`, :mod:`pipeline.xlsx.fill` and
:mod:`pipeline.readers.xlsx` (see :mod:`pipeline.xlsx.names`):

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
