"""Fillable PDF forms (AcroForm) built, filled and named from the form definitions.

The field names are a contract shared by :mod:`pipeline.pdf.build`,
:mod:`pipeline.pdf.fill` and :mod:`pipeline.readers.pdf` (see :mod:`pipeline.pdf.names`):

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
