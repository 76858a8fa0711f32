"""GraphQL over HTTP with httpx: a POST per operation, subscriptions as Server-Sent Events (what the server serves)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx


class GraphQLRequestError(Exception):
    """An error the server answered with (its extensions.code: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT…)."""

    def __init__(self, message: str, code: str | None):
        super().__init__(message)
        self.code = code


class UnreachableError(Exception):
    """The server could not be reached (refused, reset, 502–504): worth trying again later."""


def _first_error(body: dict[str, Any]) -> GraphQLRequestError | None:
    errors = body.get("errors") or []
    if not errors:
        return None
    return GraphQLRequestError(errors[0].get("message", "error"), (errors[0].get("extensions") or {}).get("code"))


class GraphQLClient:
    def __init__(self, url: str, key: str | None = None, transport: httpx.AsyncBaseTransport | None = None):
        self.url = url
        headers = {"content-type": "application/json"}
        if key:
            headers["authorization"] = f"Bearer {key}"
        # No read timeout: a feed stream is quiet while nothing happens; connecting and writing still time out.
        self._http = httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(30.0, read=None), transport=transport)

    async def close(self) -> None:
        await self._http.aclose()

    async def request(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = await self._http.post(
                self.url,
                json={"query": query, "variables": variables or {}},
                headers={"accept": "application/graphql-response+json, application/json"},
            )
        except httpx.TransportError as error:
            raise UnreachableError(f"cannot reach {self.url}: {error!r}") from error
        if 502 <= response.status_code <= 504:
            raise UnreachableError(f"cannot reach {self.url}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as error:
            raise UnreachableError(f"cannot reach {self.url}: not JSON") from error
        error = _first_error(body)
        if error:
            raise error
        if not body.get("data"):
            raise GraphQLRequestError(f"HTTP {response.status_code} without data", None)
        return body["data"]

    async def subscribe(self, query: str, variables: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Each result's data until the subscription completes; a dropped stream raises UnreachableError."""
        try:
            async with self._http.stream(
                "POST", self.url, json={"query": query, "variables": variables}, headers={"accept": "text/event-stream"}
            ) as response:
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    await response.aread()
                    body = response.json() if response.content else {}
                    raise _first_error(body) or GraphQLRequestError(
                        f"HTTP {response.status_code}: no event stream", None
                    )
                event, data = "message", []
                async for line in response.aiter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].removeprefix(" "))
                    elif line == "":
                        if event == "complete":
                            return
                        if event == "next" and data:
                            body = json.loads("\n".join(data))
                            error = _first_error(body)
                            if error:
                                raise error
                            yield body["data"]
                        event, data = "message", []
        except httpx.TransportError as error:
            raise UnreachableError(f"cannot reach {self.url}: {error!r}") from error
        raise UnreachableError(f"cannot reach {self.url}: the event stream ended")
