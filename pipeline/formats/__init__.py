"""Every form format Planwatch builds, fills and reads, one package each, and what they share.

Each format has one home with the same rooms: ``word/``, ``pdf/`` and ``xlsx/`` each
hold ``build`` (the blank form from a definition), ``fill`` (a blank typed into, as a
person would), ``read`` (a filled file, untrusted, to a :class:`~pipeline.records.RawForm`)
and ``names`` (the names its builder writes and its reader looks for). What the formats
share lives beside them and depends on none of them: ``identity`` (the form's id, version
and service as every format carries them: custom property names, the printed stamp, the
fixed saved-at moment, and how a file is identified), ``titles`` (service names, from
the loaded policies), ``safety`` (limits checked before parsing), ``containment``
(library output kept in), ``strict`` (Strict Open XML) and ``reading`` (one file of any
format read, the sandboxed reader's entry point). A format package may import these
shared modules, :mod:`pipeline.definitions`, :mod:`pipeline.records`,
:mod:`pipeline.errors`, :mod:`pipeline.fill_values` and :mod:`pipeline.files`, never another
format package; the shared modules import no format, except ``reading``, which dispatches
to the three readers. Nothing in ``formats`` imports the inbox, the store, the rules, the
reports, the watcher, the demo or the command line. To add a format, add a package with
the same rooms and register it in ``reading.READERS`` and :mod:`pipeline.forms_service`
(``BUILDERS``, ``FILLERS``).
"""
