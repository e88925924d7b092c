"""Planwatch: a forms pipeline for UK support services.

A form travels inbox → formats (read in the sandbox) → validate → store (recording,
supersession, episodes) → rules (obligations) → reports (feed → weekly, outcome_summary,
schedule) → cli. The top-level modules are what every stage shares: the error tree
(``errors``), the typed records between stages (``records``), form definitions and
policies (``definitions``, ``policies``, both YAML read by ``yaml_models``), settings
(``config``), the one module that writes files (``files``) and logging (``logs``). A
package imports only what is below it; ``docs/architecture.md`` draws the house and
``tests/test_architecture.py`` checks its import rules.
"""

__version__ = "0.1.0"
