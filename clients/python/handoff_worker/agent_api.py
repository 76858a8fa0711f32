"""The agent's side of the API: one method per operation a worker sends."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from . import operations as op
from .canonical import canonical_digest
from .graphql_client import GraphQLClient, UnreachableError

T = TypeVar("T")


async def wait_for_event(event: asyncio.Event, timeout: float) -> None:
    """Returns when `event` is set or after `timeout` seconds. (Not asyncio.wait_for: on Python 3.11 it can swallow
    a cancellation that arrives as the event is set, leaving the cancelled task running.)"""
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()


async def until_answered(
    send: Callable[[], Awaitable[T]], stopped: asyncio.Event, on_retry: Callable[[Exception], None] | None = None
) -> T:
    """Runs `send` until the server answers; while it cannot be reached, tries again (0.2 s doubling to 5 s).

    Only for operations safe to send twice. Raises the last UnreachableError once `stopped` is set.
    """
    failures = 0
    while True:
        try:
            return await send()
        except UnreachableError as error:
            if stopped.is_set():
                raise
            if on_retry:
                on_retry(error)
            await wait_for_event(stopped, min(5.0, 0.2 * 2**failures))
            failures += 1


def _refusal(user_errors: list[dict[str, str]]) -> dict[str, str] | None:
    return user_errors[0] if user_errors else None


class AgentApi:
    def __init__(self, client: GraphQLClient, agent_id: str):
        self.client = client
        self.agent_id = agent_id

    async def heartbeat(self) -> bool:
        """False when the agent is not registered."""
        data = await self.client.request(op.AGENT_HEARTBEAT, {"id": self.agent_id})
        refused = _refusal(data["agentHeartbeat"]["userErrors"])
        if refused and refused["code"] != "NOT_FOUND":
            raise RuntimeError(f"agentHeartbeat refused: {refused['message']}")
        return refused is None

    async def register(self, registration: dict[str, list[str]]) -> None:
        data = await self.client.request(op.REGISTER_AGENT, {"input": {"id": self.agent_id, **registration}})
        refused = _refusal(data["registerAgent"]["userErrors"])
        if refused:
            raise RuntimeError(f"registerAgent refused: {refused['code']}: {refused['message']}")

    async def entry_after(self, after: int) -> dict[str, Any] | None:
        data = await self.client.request(op.FEED_ENTRY_AT, {"agentId": self.agent_id, "after": after})
        feed = (data.get("agent") or {}).get("feed") or []
        return feed[0] if feed else None

    def feed(self, after: int):
        return self.client.subscribe(op.FEED, {"agentId": self.agent_id, "after": after})

    async def delivery(self, handoff_id: str) -> dict[str, Any] | None:
        after = None
        while True:
            data = await self.client.request(op.INBOX, {"agentId": self.agent_id, "after": after})
            inbox = (data.get("agent") or {}).get("inbox")
            if not inbox:
                return None
            for edge in inbox["edges"]:
                if edge["node"]["handoffId"] == handoff_id:
                    return edge["node"]
            if not inbox["pageInfo"]["hasNextPage"]:
                return None
            after = inbox["pageInfo"]["endCursor"]

    async def acknowledge(self, handoff_id: str, values: dict[str, Any]) -> dict[str, str] | None:
        digest = canonical_digest(values)
        data = await self.client.request(
            op.ACKNOWLEDGE, {"input": {"handoffId": handoff_id, "agentId": self.agent_id, "digest": digest}}
        )
        return _refusal(data["acknowledgeDelivery"]["userErrors"])

    async def claim(self, task_id: str) -> tuple[dict[str, Any] | None, str | None, dict[str, str] | None]:
        """(task, token, None) when claimed, (None, None, refusal) when not."""
        payload = (await self.client.request(op.CLAIM, {"taskId": task_id}))["claimAgentTask"]
        if payload["token"] and payload["task"]:
            return payload["task"], payload["token"], None
        return None, None, _refusal(payload["userErrors"]) or {"code": "UNKNOWN", "message": "not claimed"}

    async def heartbeat_task(self, task_id: str, token: str, progress: Any) -> dict[str, str] | None:
        data = await self.client.request(
            op.HEARTBEAT, {"input": {"taskId": task_id, "token": token, "progress": progress}}
        )
        return _refusal(data["heartbeatAgentTask"]["userErrors"])

    async def complete(self, task_id: str, token: str, output: dict[str, Any] | None) -> dict[str, str] | None:
        data = await self.client.request(op.COMPLETE, {"input": {"taskId": task_id, "token": token, "output": output}})
        return _refusal(data["completeAgentTask"]["userErrors"])

    async def fail(self, task_id: str, token: str, code: str, message: str, retryable: bool) -> dict[str, str] | None:
        data = await self.client.request(
            op.FAIL,
            {"input": {"taskId": task_id, "token": token, "code": code, "message": message, "retryable": retryable}},
        )
        return _refusal(data["failAgentTask"]["userErrors"])
