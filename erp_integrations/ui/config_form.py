"""The configuration dialog, drawn from a connector's schema description (the same one
``GET /api/v1/connectors`` serves), and read back into the config the account service
validates. Nothing here knows a marketplace's fields."""

from __future__ import annotations

from typing import Any

from ..connectors import SECRET_MASK

MANUAL = "manual"  # the form value of a null choice (the "Manual" sync interval)


def form_fields(described: list[dict]) -> tuple[list[dict], list[dict]]:
    """The schema's fields split into the main form and the collapsed "Advanced" group."""
    main = [f for f in described if f.get("group") != "advanced"]
    advanced = [f for f in described if f.get("group") == "advanced"]
    return main, advanced


def current_values(serialized_config: dict | None, described: list[dict]) -> dict[str, Any]:
    """What the form shows: an account's config (secrets masked), or the schema's defaults."""
    if serialized_config is not None:
        return dict(serialized_config)
    values: dict[str, Any] = {}
    for field in described:
        if field["type"] == "object":
            values[field["name"]] = {sub["name"]: sub.get("default") for sub in field.get("fields", [])}
        elif "default" in field:
            values[field["name"]] = field["default"]
    return values


def read_form(form, described: list[dict], *, editing: bool) -> dict[str, Any]:
    """The config payload a submitted form means.

    Empty optional fields become null (or are left out so their default applies); an empty
    secret keeps the stored one when editing; checkboxes absent from the form are off.
    """
    payload: dict[str, Any] = {}
    for field in described:
        name = field["name"]
        if field["type"] == "object":
            payload[name] = {sub["name"]: form.get(f"{name}.{sub['name']}") == "on" for sub in field.get("fields", [])}
            continue
        raw = (form.get(name) or "").strip()
        if field["secret"]:
            if raw:
                payload[name] = raw
            elif editing:
                payload[name] = SECRET_MASK
            continue
        if raw == "":
            if field["nullable"] and (editing or "default" not in field):
                payload[name] = None
            continue
        if raw == MANUAL and field["nullable"]:
            payload[name] = None
        elif field["type"] == "integer":
            try:
                payload[name] = int(raw)
            except ValueError:
                payload[name] = raw  # the schema says why it is not a number
        else:
            payload[name] = raw
    return payload


def field_errors(fields: dict) -> dict[str, list[str]]:
    """Marshmallow's messages, flattened to ``name`` / ``name.sub`` and worded for a form."""
    flat: dict[str, list[str]] = {}
    for name, messages in fields.items():
        if isinstance(messages, dict):
            for sub, sub_messages in field_errors(messages).items():
                flat[f"{name}.{sub}"] = sub_messages
        else:
            flat[name] = ["Required." if m == "Missing data for required field." else m for m in messages]
    return flat
