from __future__ import annotations

from flask import jsonify

from ..auth import requires
from ..hooks import get_connector, get_connectors
from . import api_blueprint


@api_blueprint.get("/connectors")
@requires("signed_in")
def list_connectors():
    return jsonify(connectors=[cls.describe() for _, cls in sorted(get_connectors().items())])


@api_blueprint.get("/connectors/<name>")
@requires("signed_in")
def show_connector(name: str):
    return jsonify(get_connector(name).describe())
