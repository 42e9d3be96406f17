"""JSON answers that any strict reader accepts."""

from __future__ import annotations

from flask.json.provider import DefaultJSONProvider

from reports.compilation import finite


class FiniteJSONProvider(DefaultJSONProvider):
    """JSON answers that any strict reader accepts: a number that is not finite is null."""

    def dumps(self, obj, **kwargs):
        return super().dumps(finite(obj), allow_nan=False, **kwargs)
