"""Word forms (.docx): built, filled and read, with content controls as the answers.

``build`` lays out a blank form with python-docx, ``controls`` makes its content
controls, ``fill`` types values into a blank as Word does, ``read`` (with ``wordml``, the
controls and legacy fields parsed with lxml) turns a filled file back into raw answers,
and ``names`` holds the WordprocessingML namespaces, tags and glyphs all of them use. It
may import :mod:`pipeline.formats`' shared modules (identity, safety, containment,
strict), :mod:`pipeline.definitions`, :mod:`pipeline.records`, :mod:`pipeline.errors` and
:mod:`pipeline.fill_values`, and never the PDF or Excel package. ``read``, ``wordml`` and
``names`` import lxml only (no python-docx): the sandboxed reader imports them.
"""
