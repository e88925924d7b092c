"""Fillable PDF forms (AcroForm): built, filled and read, one package.

``build`` draws the pages with ReportLab (``layout``) and adds the fields with pypdf
(``widgets``, ``appearance``), ``fill`` types values into a blank as a viewer does,
``read`` (with ``values``, raw answers matched to fields, and ``fields``, the field tree
walked) turns a filled file back into raw answers, and ``names`` holds the field names
below. It may import :mod:`pipeline.formats`' shared modules (identity, safety,
containment), :mod:`pipeline.definitions`, :mod:`pipeline.records`,
:mod:`pipeline.errors` and :mod:`pipeline.fill_values`, and never the Word or Excel
package. ``read``, ``values``, ``fields`` and ``names`` import pypdf only (no ReportLab):
the sandboxed reader imports them.

The field names are a contract shared by :mod:`pipeline.formats.pdf.build`,
:mod:`pipeline.formats.pdf.fill` and :mod:`pipeline.formats.pdf.read` (see
:mod:`pipeline.formats.pdf.names`):

    <key>                    every single-valued answer; a signature block ``person`` is the
                             two fields ``person_signature`` and ``person_signed_on``
    <table>.<row>.<column>   a table cell, rows numbered from 1; ``<table>`` and
                             ``<table>.<row>`` are parent fields, as the PDF standard nests
                             names (a partial name may not itself contain a period)
    planwatch-form           hidden and read-only: "<form id> <version> <service>"

Text fields (multi-line for long text) have no length limit; yes/no answers are check
boxes whose on-state is ``/Yes``; choices are combo boxes whose export values are the
definition's choice values; dates are text fields typed as dd/mm/yyyy. The document
information dictionary carries ``/PlanwatchFormId``, ``/PlanwatchFormVersion`` and
``/PlanwatchService``, like the Word form's custom properties.
"""
