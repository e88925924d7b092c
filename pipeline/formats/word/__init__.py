"""Word forms (.docx): built, filled and read, with content controls as the answers.

``build`` lays out a blank form with python-docx, ``controls`` makes its content
controls, ``fill`` types values into a blank as Word does, ``read`` (with ``wordml``, the
controls and legacy fields parsed with lxml) turns a filled file back into raw answers,
and ``names`` holds the WordprocessingML namespaces, tags and glyphs all of them use.
``layout`` (with ``answers``) reads by its label what no control holds, and ``adopt``
makes an office's own blank form a Planwatch form (``inference`` finds its fields,
``markup`` puts controls in its answer places; it writes through :mod:`pipeline.files`).
It may import :mod:`pipeline.formats`' shared modules (identity, safety, containment,
strict), :mod:`pipeline.definitions`, :mod:`pipeline.records`, :mod:`pipeline.errors` and
:mod:`pipeline.fill_values`, and never the PDF or Excel package. ``read``, ``wordml``,
``layout``, ``answers`` and ``names`` import lxml only (no python-docx): the sandboxed
reader imports them.
"""
