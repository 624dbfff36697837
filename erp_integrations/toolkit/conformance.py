"""The connector contract, checked without a marketplace: everything the host relies on that
registration alone does not refuse. A connector author runs ``contract_problems(MyConnector)``
in a test (the project's own test does it for every registered connector); an empty list means
the pages, the API, the scheduler and the push outbox can use the connector as it declares.

Registration (``connectors.check_capabilities``) already refuses a declared capability without
its methods; this goes further: names that must point at each other (streams, toggles, push
kinds, listings) and the optional methods a declared push kind or toggle needs.
"""

from __future__ import annotations

from marshmallow import ValidationError

from ..connectors import Connector

AFTER_SALE_KINDS = ("return", "cancellation")


def contract_problems(connector_class: type[Connector]) -> list[str]:
    """Every way ``connector_class`` breaks the contract, in words; none when it keeps it."""
    from ..browse import LISTINGS
    from ..push.outbox import RESOLVERS

    c = connector_class
    problems: list[str] = []

    def overrides(method: str) -> bool:
        return getattr(c, method) is not getattr(Connector, method)

    for attribute in ("name", "display_name"):
        if not isinstance(getattr(c, attribute, None), str) or not getattr(c, attribute, "").strip():
            problems.append(f"{attribute} must be a non-empty string")
    if not c.regions or any(not (isinstance(code, str) and code and isinstance(label, str) and label) for code, label in c.regions):
        problems.append("regions must list (code, label) pairs")

    keys = [f.key for f in c.features]
    if len(keys) != len(set(keys)):
        problems.append(f"feature keys repeat: {', '.join(sorted(k for k in set(keys) if keys.count(k) > 1))}")
    problems += [f"feature {f.key!r} has no help text saying what it syncs" for f in c.features if not f.help.strip()]
    problems += [f"feature {f.key!r} is on by default but not available" for f in c.features if f.default and not f.available]

    try:
        errors = c.config_schema().validate({})
    except ValidationError as exc:  # a schema whose own checks fail on empty input
        errors = exc.messages
    if "features" in errors:
        problems.append("the config schema refuses an empty config's features: give them defaults")

    streams = set(c.streams)
    for stream, wanted in c.stream_features.items():
        if stream not in streams:
            problems.append(f"stream_features names an unknown stream {stream!r}")
        for feature in (wanted,) if isinstance(wanted, str) else wanted:
            if feature not in keys:
                problems.append(f"stream {stream!r} is switched by an unknown feature {feature!r}")
    problems += [f"stream_groups names an unknown stream {s!r}" for s in c.stream_groups if s not in streams]

    if c.supports("push"):
        problems += [f"push kind {kind!r} is not one the host can record (known: {', '.join(RESOLVERS)})" for kind in c.push_kinds if kind not in RESOLVERS]
    for kind, refreshed in c.push_refresh_streams.items():
        if kind not in c.push_kinds:
            problems.append(f"push_refresh_streams names a push kind {kind!r} it does not declare")
        problems += [f"push_refresh_streams[{kind!r}] names an unknown stream {s!r}" for s in refreshed if s not in streams]
    for after_sale in AFTER_SALE_KINDS:
        if f"{after_sale}_decision" in c.push_kinds:
            if not c.after_sale_open_statuses.get(after_sale):
                problems.append(f"{after_sale}_decision needs after_sale_open_statuses[{after_sale!r}]")
            if not overrides("reject_reasons"):
                problems.append(f"{after_sale}_decision needs reject_reasons()")
    problems += [f"after_sale_open_statuses names an unknown kind {k!r}" for k in c.after_sale_open_statuses if k not in AFTER_SALE_KINDS]
    if "order_cancel" in c.push_kinds and not overrides("cancel_reasons"):
        problems.append("order_cancel needs cancel_reasons()")

    if c.logistics_feature is not None and c.logistics_feature not in keys:
        problems.append(f"logistics_feature names an unknown feature {c.logistics_feature!r}")
    if c.document_types and not overrides("shipping_document"):
        problems.append("document_types without shipping_document()")
    problems += [f"listing_values names an unknown listing {name!r}" for name in c.listing_values if name not in LISTINGS]
    if c.shop_setting is not None and c.shop_setting not in c.config_schema().fields:
        problems.append(f"shop_setting {c.shop_setting!r} is not a config field")
    return problems
