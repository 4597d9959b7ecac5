"""The GraphQL request body checked before Strawberry parses it: a clear 400, never a 500.

Strawberry expects a JSON object (or a list of them for a batch) and fails with an internal
error on anything else. This ASGI middleware reads the body (already bounded by
``ipgov.web.limits``) and refuses, with 400 and a stable code, a body that is not UTF-8,
not JSON, nested deeper than ``IPGOV_MAX_JSON_DEPTH``, holds a number literal longer than
``MAX_NUMBER_DIGITS`` digits, a string with an unpaired surrogate, or does not have the shape
of a GraphQL request (``query`` a string, ``variables`` an object, ``operationName`` a string;
a batch of such objects). Other content types go on to Strawberry, which refuses them itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ipgov.i18n import negotiate, translate
from ipgov.settings import Settings

__all__ = ["MAX_NUMBER_DIGITS", "RequestBodyGuard", "body_problem"]

MAX_NUMBER_DIGITS = 100
_SURROGATE = re.compile("[\ud800-\udfff]")
_FIELDS = {"query": str, "operationName": str, "variables": dict, "extensions": dict}


class BodyProblem(ValueError):
    """Why a request body is refused: a stable code and an English reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _number(text: str) -> Any:
    digits = len(text.lstrip("-").split(".")[0].split("e")[0].split("E")[0])
    if digits > MAX_NUMBER_DIGITS:
        raise BodyProblem("INVALID_JSON",
                          f"a number has {digits} digits; at most {MAX_NUMBER_DIGITS}")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(name: str) -> Any:
    raise BodyProblem("INVALID_JSON", f"{name} is not a JSON value")


def _parse(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyProblem("INVALID_JSON", f"the body is not UTF-8 text (byte {exc.start})"
                          ) from None
    try:
        return json.loads(text, parse_int=_number, parse_float=_number,
                          parse_constant=_constant)
    except RecursionError:
        raise BodyProblem("INVALID_JSON", "the JSON is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise BodyProblem("INVALID_JSON", f"not JSON: {exc.msg} at line {exc.lineno} "
                          f"column {exc.colno}") from None


def _walk(value: Any, max_depth: int) -> None:
    """Depth and strings of a parsed body, without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise BodyProblem("INVALID_JSON", f"the JSON is nested deeper than {max_depth} "
                              "levels")
        if isinstance(item, str) and _SURROGATE.search(item):
            raise BodyProblem("INVALID_JSON", "a string holds an unpaired surrogate "
                              "(\\ud800-\\udfff), which is not a character")
        if isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _check_operation(item: Any, where: str) -> None:
    if not isinstance(item, dict):
        raise BodyProblem("BAD_REQUEST_BODY", f"{where} must be a JSON object with a query, "
                          f"not {_json_kind(item)}")
    if not isinstance(item.get("query"), str):
        raise BodyProblem("BAD_REQUEST_BODY", f"{where} needs a 'query' string")
    for name, kind in _FIELDS.items():
        value = item.get(name)
        if value is not None and not isinstance(value, kind):
            wanted = "an object" if kind is dict else "a string"
            raise BodyProblem("BAD_REQUEST_BODY", f"'{name}' of {where} must be {wanted} or "
                              f"null, not {_json_kind(value)}")


def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), "a value")


def body_problem(raw: bytes, max_depth: int) -> BodyProblem | None:
    """Why ``raw`` is not an acceptable GraphQL request body (``None`` when it is)."""
    try:
        body = _parse(raw)
        _walk(body, max_depth)
        if isinstance(body, list):
            if not body:
                raise BodyProblem("BAD_REQUEST_BODY", "an empty batch holds no operation")
            for i, item in enumerate(body):
                _check_operation(item, f"operation {i} of the batch")
        else:
            _check_operation(body, "the body")
    except BodyProblem as problem:
        return problem
    return None


def _is_json(scope: dict[str, Any]) -> bool:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()
    for key, value in headers:
        if key.lower() == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == b"application/json"
    return False


def _accept_language(scope: dict[str, Any]) -> str | None:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()
    for key, value in headers:
        if key.lower() == b"accept-language":
            return value.decode("latin-1")[:200]
    return None


class RequestBodyGuard:
    """ASGI middleware: refuses a malformed GraphQL body with 400 before Strawberry runs."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.path = settings.graphql_path
        self.max_depth = settings.max_json_depth

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (scope["type"] != "http" or scope.get("method") != "POST"
                or scope.get("path") != self.path or not _is_json(scope)):
            await self.app(scope, receive, send)
            return
        chunks, message = [], {"more_body": True}
        while message.get("more_body"):
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
        raw = b"".join(chunks)
        problem = body_problem(raw, self.max_depth)
        if problem is not None:
            await _refuse(send, problem, _accept_language(scope))
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                message: dict[str, Any] = await receive()
                return message
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Any, problem: BodyProblem, accept_language: str | None) -> None:
    locale = negotiate(accept_language, None)
    message = problem.reason if locale == "en" else (
        translate(problem.code, locale) or problem.reason)
    body = json.dumps({"data": None, "errors": [{"message": message, "extensions": {
        "code": problem.code, "messageEn": problem.reason}}]}).encode()
    await send({"type": "http.response.start", "status": 400, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
