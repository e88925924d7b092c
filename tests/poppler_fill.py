"""Fill a PDF form with poppler-glib, the engine of Evince and other GNOME viewers, and save.

Run by the tests with Debian's own Python (``/usr/bin/python3``, which has PyGObject):

    python3 tests/poppler_fill.py IN.pdf OUT.pdf VALUES.json

VALUES maps a field's full name to text, true/false (a check box), or
``{"choice": "Label"}`` (a list item by its label). poppler saves as viewers do: an
incremental update after the original bytes, appearances drawn by poppler itself.
"""

import json
import sys
from pathlib import Path

import gi

gi.require_version("Poppler", "0.18")
from gi.repository import GLib, Poppler  # noqa: E402

source, target, values_file = sys.argv[1:4]
values = json.loads(Path(values_file).read_text(encoding="utf-8"))
document = Poppler.Document.new_from_file(GLib.filename_to_uri(str(Path(source).resolve())))
for number in range(document.get_n_pages()):
    for mapping in document.get_page(number).get_form_field_mapping():
        field = mapping.field
        value = values.get(field.get_name())
        if value is None:
            continue
        kind = field.get_field_type()
        if kind == Poppler.FormFieldType.TEXT:
            field.text_set_text(value)
        elif kind == Poppler.FormFieldType.BUTTON:
            field.button_set_state(bool(value))
        elif kind == Poppler.FormFieldType.CHOICE:
            labels = [field.choice_get_item(i) for i in range(field.choice_get_n_items())]
            field.choice_select_item(labels.index(value["choice"]))
document.save(GLib.filename_to_uri(str(Path(target).resolve())))
