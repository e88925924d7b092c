"""Reading the YAML of form definitions and policies: safely, and with libyaml when present.

PyYAML's pure-Python parser took a third of a second to read the bundled forms, on every
command; its C parser (in PyYAML's wheels) gives the same data and the same errors.
"""

from __future__ import annotations

from typing import Any

import yaml

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)``, with the C parser where PyYAML has it."""
    return yaml.load(text, Loader=_SAFE_LOADER)
