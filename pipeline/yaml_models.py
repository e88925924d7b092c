"""Reading a YAML file into a pydantic model: every mistake names the file and the key.

Form definitions (:mod:`pipeline.definitions`) and services' policies
(:mod:`pipeline.policies`) are both YAML files validated into a model whose ``id`` is the
file's name. :func:`load_model` reads one safely (PyYAML's C parser where its wheel has
it: the pure-Python one took a third of a second to read the bundled forms, on every
command, for the same data and the same errors), validates it, and turns whatever is
wrong into a :class:`~pipeline.errors.DefinitionError`: ``(file)`` when it cannot be
read, ``(syntax)`` when it is not YAML, ``(top level)`` when it is not a mapping, else the
key path of pydantic's first error (:func:`key_path`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.errors import DefinitionError

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Model = TypeVar("Model", bound=BaseModel)


def load_model(path: Path, model: type[Model], *, label_key: str,
               union_tags: Collection[str] = (),
               prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Model:
    """The model in the YAML file at ``path``, whose ``id`` must be the file's name.

    ``prepare`` may rewrite the parsed mapping before it is validated (a policy's
    settings); key paths are found in what it returns. ``label_key`` and
    ``union_tags`` are :func:`key_path`'s.
    """
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except OSError as exc:
        raise DefinitionError(path, "(file)", f"cannot be read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(path, "(syntax)", f"is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DefinitionError(path, "(top level)", "must be a mapping of keys to values")
    if prepare is not None:
        data = prepare(data)
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = key_path(tuple(first["loc"]), data, label_key=label_key, union_tags=union_tags)
        raise DefinitionError(path, key, first_problem(exc)) from exc
    model_id = getattr(result, "id", None)
    if model_id != path.stem:
        raise DefinitionError(path, "id", f"is {model_id!r} but the file is {path.name}")
    return result


def first_problem(exc: ValidationError) -> str:
    """What pydantic's first error says, without its ``Value error, `` prefix."""
    return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")


def key_path(loc: tuple[int | str, ...], data: object, *, label_key: str,
             union_tags: Collection[str] = ()) -> str:
    """A pydantic error location as ``sections[1].items[2] (plan_date).type``.

    List items show their index and, when they have one, the value of ``label_key`` (a
    field's key, an obligation's id). ``union_tags`` are the names pydantic puts in a
    location for the chosen member of a tagged union: they are not keys in the file.
    """
    parts: list[str] = []
    node: object = data
    for step in loc:
        if isinstance(step, int):
            label = ""
            if isinstance(node, list) and 0 <= step < len(node):
                node = node[step]
                if isinstance(node, dict) and label_key in node:
                    label = f" ({node[label_key]})"
            parts[-1:] = [f"{parts[-1] if parts else ''}[{step}]{label}"]
        elif isinstance(node, dict) and step in node:
            node = node[step]
            parts.append(step)
        elif step not in union_tags:
            parts.append(step)
    return ".".join(parts) or "(top level)"
