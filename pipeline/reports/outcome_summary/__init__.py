"""The outcome summary written when support ends: :mod:`.data` is its input,
:mod:`.chart` its scores chart, :mod:`.document` renders the docxtpl template
(``template.docx``) and :mod:`.job` finds what to summarise in the store (a closure
just stored, a departure within a week). Imports the shared report modules."""
