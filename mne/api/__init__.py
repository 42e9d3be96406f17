"""The JSON API under /api/v1: one blueprint, its routes in one module per area."""

from __future__ import annotations

from flask import Blueprint, jsonify

blueprint = Blueprint("api", __name__)


def error(status: int, message: str):
    """A JSON error response with a message a person can read."""
    return jsonify({"error": message}), status


from mne.api import reports, returns  # noqa: E402,F401,I001
from mne.api import exports, openapi  # noqa: E402,F401,I001
from mne.api import evaluation, strategies  # noqa: E402,F401  (routes attach themselves to the blueprint)
