"""Where in a YAML file a validation error is: the key path a person can find and fix."""

from __future__ import annotations

from collections.abc import Collection


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
