"""Writing the reports' workbooks with XlsxWriter, in constant memory.

:mod:`.style` (columns, values, links, cell styles), :mod:`.links` (where a link goes),
:mod:`.fit` (column widths and row heights), :mod:`.book` (a workbook, saved
atomically), :mod:`.sheet` (cells, links past Excel's limits, print setup),
:mod:`.lists` (list sheets, streamed), :mod:`.table` (sheets of small tables) and
:mod:`.xml_text` (quoting link targets). Imports only :mod:`pipeline.reports.saving`
and :mod:`pipeline.reports.text`.
"""
