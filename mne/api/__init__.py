"""The JSON API under /api/v1: one blueprint, its routes in one module per area."""

from __future__ import annotations

from flask import Blueprint, jsonify

blueprint = Blueprint("api", __name__)


def error(status: int, message: str):
    """A JSON error response with a message a person can read."""
    return jsonify({"error": message}), status


# routes attach themselves to the blueprint, one module per area
from mne.api import (  # noqa: E402,F401
    evaluation,
    exports,
    openapi,
    reports,
    returns,
    review,
    strategies,
)
