"""Key-and-type trees of JSON documents, for comparing sandbox responses with official samples."""

from __future__ import annotations


def kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def paths(document, prefix: str = "") -> dict[str, str]:
    """Every key path with its type; list items merge into ``path[]`` (all items, so a key that
    only some items carry still counts)."""
    found: dict[str, str] = {}
    if isinstance(document, dict):
        for key, value in document.items():
            path = f"{prefix}.{key}" if prefix else key
            found[path] = kind(value)
            found.update(paths(value, path))
    elif isinstance(document, list):
        for item in document:
            for path, value_kind in paths(item, prefix + "[]").items():
                found.setdefault(path, value_kind)
    return found


def empty_arrays(document, prefix: str = "") -> set[str]:
    """Array paths that hold no item anywhere in the document."""
    seen: dict[str, bool] = {}

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            seen[path] = seen.get(path, False) or bool(node)
            for item in node:
                walk(item, path + "[]")

    walk(document, prefix)
    return {path for path, filled in seen.items() if not filled}


def compare(sample: dict, actual: dict) -> tuple[set[str], set[str], dict[str, tuple[str, str]]]:
    """(keys only the sample has, keys only the sandbox has, keys whose types differ).

    Keys under an array that the sandbox returned empty are not counted as missing: an empty
    list is a valid answer and has no item to carry them."""
    expected, got = paths(sample), paths(actual)
    empty = empty_arrays(actual)
    missing = {p for p in expected.keys() - got.keys() if not any(p.startswith(e + "[]") for e in empty)}
    mismatched = {
        path: (expected[path], got[path])
        for path in expected.keys() & got.keys()
        if expected[path] != got[path] and "null" not in (expected[path], got[path]) and {expected[path], got[path]} != {"int", "number"}
    }
    return missing, got.keys() - expected.keys(), mismatched
