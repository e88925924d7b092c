"""The names staff know each service by, as every format prints them on a form.

A service's title is its policy's ``name`` (``forms/services/<id>.yaml``, loaded and
validated by :func:`pipeline.policies.load_policies`), so a workspace whose ``forms_dir``
holds its own policies names its own services. The entry points that build and fill
forms (:mod:`pipeline.forms_service`, :mod:`pipeline.prefill`, the demo) look the titles
up once for their forms folder and hand each format's builder or filler the one title
it prints; no format reads a policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from pipeline.definitions import DEFAULT_FORMS_DIR
from pipeline.policies import Policies, load_policies

# Service id -> the name staff know it by.
ServiceTitles = Mapping[str, str]


def titles_of(policies: Policies) -> ServiceTitles:
    """Each loaded policy's service id and name."""
    return MappingProxyType({policy.id: policy.name for policy in policies})


def service_titles(forms_dir: Path) -> ServiceTitles:
    """The titles of the services whose policies are under ``forms_dir`` (none there: an
    empty mapping). Raises :class:`DefinitionError` for a policy file with a mistake."""
    if forms_dir.resolve() == DEFAULT_FORMS_DIR.resolve():
        return bundled_titles()
    return titles_of(load_policies(forms_dir))


@cache
def bundled_titles() -> ServiceTitles:
    """The bundled forms' service titles, loaded once per process."""
    return titles_of(load_policies(DEFAULT_FORMS_DIR))


def service_title(service: str, titles: ServiceTitles | None = None) -> str:
    """The name staff know ``service`` by: its policy's name in ``titles`` (by default
    the bundled forms'), else its id title-cased (a form's service with no policy file)."""
    known = bundled_titles() if titles is None else titles
    return known.get(service) or service.replace("-", " ").title()
