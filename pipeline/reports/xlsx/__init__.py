"""Writing the reports' workbooks: :mod:`.style` (columns, colours, links, list sheets),
:mod:`.stream` (large sheets streamed to disk) and :mod:`.xml_text` (quoting cell text).
Imports only :mod:`pipeline.reports.saving` and :mod:`pipeline.reports.text`."""
