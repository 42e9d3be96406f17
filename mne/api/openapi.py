"""The OpenAPI 3.1 document of /api/v1, generated from the application's URL map, so that every
route is in it the moment it is registered.

Each view is described by its docstring (first line: summary; the rest: description) and its
path parameters (from the rule). A view declares what a docstring cannot say with `@documented`:
query parameters, responses and their media types, a request body, e.g.

    @blueprint.get("/things")
    @documented(query={"strategy": "Strategy code"}, responses={"200": "The things"})
    def things():
        \"\"\"Every thing.\"\"\"
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from flask import current_app, jsonify

from mne.api import blueprint

API_PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")
_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}


def documented(query: dict[str, str] | None = None,
               responses: dict[str, str | dict[str, Any]] | None = None,
               body: dict[str, Any] | None = None, tags: list[str] | None = None) -> Callable:
    """Declare what a view's OpenAPI operation holds beyond its docstring and path:
    `query` names optional query parameters and what they mean; `responses` maps a status to
    its description (or a full OpenAPI response object); `body` is a request body object."""

    def attach(view: Callable) -> Callable:
        view.openapi = {"query": query or {}, "responses": responses or {}, "body": body,
                        "tags": tags}
        return view

    return attach


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of every /api/v1 route of the running application."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        view = current_app.view_functions[rule.endpoint]
        path = _CONVERTER.sub(r"{\g<name>}", rule.rule[len(API_PREFIX):])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, method)
    return {
        "openapi": "3.1.0",
        "info": {"title": "mne JSON API", "version": "1",
                 "description": "Strategies, indicators, values, returns and reports of the "
                                "mne indicator tracker."},
        "servers": [{"url": API_PREFIX}],
        "paths": paths,
    }


def _operation(rule, view: Callable, method: str) -> dict[str, Any]:
    declared = getattr(view, "openapi", {})
    summary, _, description = (inspect.getdoc(view) or rule.endpoint).partition("\n")
    operation: dict[str, Any] = {
        "operationId": f"{rule.endpoint.replace('.', '_')}_{method.lower()}",
        "summary": summary.strip(),
        "tags": declared.get("tags") or [rule.rule[len(API_PREFIX):].split("/")[1]],
        "parameters": [
            {"name": match["name"], "in": "path", "required": True,
             "schema": _TYPES.get(match["converter"] or "", {"type": "string"})}
            for match in _CONVERTER.finditer(rule.rule)
        ] + [
            {"name": name, "in": "query", "required": False, "description": meaning,
             "schema": {"type": "string"}}
            for name, meaning in declared.get("query", {}).items()
        ],
        "responses": {
            status: answer if isinstance(answer, dict) else {"description": answer}
            for status, answer in (declared.get("responses") or {"200": summary.strip()}).items()
        },
    }
    if description.strip():
        operation["description"] = description.strip()
    if declared.get("body"):
        operation["requestBody"] = declared["body"]
    return operation


@blueprint.get("/openapi.json")
@documented(responses={"200": "The OpenAPI 3.1 document"}, tags=["meta"])
def openapi():
    """This API described in OpenAPI 3.1: every route of /api/v1."""
    return jsonify(openapi_document())
