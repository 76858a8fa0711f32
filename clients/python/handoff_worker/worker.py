"""An agent's worker: follows the agent's feed, acknowledges deliveries, claims and runs its tasks."""

from __future__ import annotations

import asyncio
import inspect
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from .agent_api import AgentApi, until_answered, wait_for_event
from .graphql_client import GraphQLClient
from .position import FeedPosition, MemoryPosition, PositionStore
from .task import Handler
from .task_run import TaskRun, task_from

#: How long stop() waits for handed-back tasks to send their outcome before it abandons them.
HAND_BACK_S = 5.0


class _HandledEntries:
    """The highest seq with every entry up to it handled (entries finish out of order)."""

    def __init__(self, position: FeedPosition):
        self.position = position
        self._open: dict[int, str] = {}
        self._finished: dict[int, str] = {}

    def begin(self, seq: int, at: str) -> None:
        self._open[seq] = at

    def finish(self, seq: int) -> FeedPosition | None:
        at = self._open.pop(seq, None)
        if at is None:
            return None
        self._finished[seq] = at
        before = self.position.seq
        while self.position.seq + 1 in self._finished:
            following = self.position.seq + 1
            self.position = FeedPosition(following, self._finished.pop(following))
        return self.position if self.position.seq != before else None


class Worker:
    """`Worker(url=…, agent=…, handle=…)`; `await worker.start()`, later `await worker.stop()`.

    handle(task, ctx) does one task (an async function, or a plain one run in a thread) and returns the step's
    output (a dict) or None; raising TaskFailure fails the task with your code. The agent's registration is left
    as it is unless `register={"capabilities": [...], "permissions": [...]}` is given.
    """

    def __init__(
        self,
        *,
        url: str,
        agent: str,
        handle: Handler,
        key: str | None = None,
        on_delivery: Callable[[dict[str, Any]], Awaitable[None] | None] | None = None,
        position: PositionStore | None = None,
        concurrency: int = 1,
        register: dict[str, list[str]] | None = None,
        agent_heartbeat_s: float = 10.0,
        stop_grace_s: float = 10.0,
        log: Callable[[str], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.agent_id = agent
        self._handle = handle
        self._on_delivery = on_delivery
        self._client = GraphQLClient(url, key, transport)
        self._api = AgentApi(self._client, agent)
        self._positions = position or MemoryPosition()
        self._concurrency = concurrency
        self._register = register
        self._agent_heartbeat_s = agent_heartbeat_s
        self._stop_grace_s = stop_grace_s
        self.log = log or (lambda message: print(f"[{agent}] {message}", flush=True))
        self._stopping = asyncio.Event()
        self._abandon = asyncio.Event()
        self._runs: dict[str, tuple[TaskRun | None, asyncio.Task]] = {}
        self._offers: list[dict[str, Any]] = []
        self._background: list[asyncio.Task] = []
        self._handled = _HandledEntries(FeedPosition(0, None))
        self._last_seen = 0

    async def start(self) -> None:
        position = await until_answered(
            self._resume_position, self._stopping, lambda error: self.log(f"{error}; trying again")
        )
        self._handled = _HandledEntries(position)
        self._last_seen = position.seq
        if self._register is not None:
            await self._api.register(self._register)
        self._background = [asyncio.create_task(self._heartbeat_loop()), asyncio.create_task(self._follow_loop())]
        self.log(f"following the feed after seq {position.seq}")

    async def _resume_position(self) -> FeedPosition:
        saved = self._positions.load(self.agent_id)
        if saved is None or saved.seq == 0:
            return FeedPosition(0, None)
        entry = await self._api.entry_after(saved.seq - 1)
        if entry and entry["seq"] == saved.seq and entry["at"] == saved.at:
            return saved
        self.log(f"the saved position (seq {saved.seq}) is not in this server's feed; reading the feed from the start")
        return FeedPosition(0, None)

    async def stop(self) -> None:
        """Stops taking work; lets running tasks finish within stop_grace_s, then hands the rest back
        (failed as WORKER_STOPPED, retryable, so the step is offered again)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._offers.clear()
        for task in self._background:
            task.cancel()
        await self._wait_for_runs(self._stop_grace_s)
        if self._runs:
            self.log(f"handing back {len(self._runs)} task(s) still running")
            for run, _ in self._runs.values():
                if run:
                    run.hand_back()
            await self._wait_for_runs(HAND_BACK_S)
        self._abandon.set()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self._client.close()

    async def _wait_for_runs(self, seconds: float) -> None:
        pending = [task for _, task in self._runs.values()]
        if pending:
            await asyncio.wait(pending, timeout=seconds)

    async def run_until_signalled(self) -> None:
        """start(), then stop() on SIGINT or SIGTERM."""
        loop = asyncio.get_running_loop()
        for name in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(name, lambda: asyncio.ensure_future(self.stop()))
        await self.start()
        await self._stopping.wait()
        while not self._abandon.is_set():
            await asyncio.sleep(0.05)

    async def _heartbeat_loop(self) -> None:
        if self._agent_heartbeat_s <= 0:
            return
        registered = True
        while not self._stopping.is_set():
            try:
                now = await self._api.heartbeat()
                if now != registered:
                    self.log(
                        "the agent is registered: heartbeats resumed"
                        if now
                        else f"agent {self.agent_id} is not registered: an operator registers it (registerAgent),"
                        " or start the worker with register"
                    )
                registered = now
            except Exception as error:  # noqa: BLE001 — logged; the next heartbeat tries again
                self.log(f"agent heartbeat failed: {error}")
            await self._pause(self._agent_heartbeat_s if registered else 2.0)

    async def _pause(self, seconds: float) -> None:
        await wait_for_event(self._stopping, seconds)

    async def _follow_loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                async for data in self._api.feed(self._last_seen):
                    failures = 0
                    entry = data["agentFeed"]
                    if entry["seq"] <= self._last_seen:
                        continue
                    self._last_seen = entry["seq"]
                    self._dispatch(entry)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 — a dropped stream: subscribe again after the last entry
                if self._stopping.is_set():
                    return
                self.log(f"feed connection lost ({error}); resuming after seq {self._last_seen}")
            await self._pause(min(5.0, 0.2 * 2**failures))
            failures += 1

    def _dispatch(self, entry: dict[str, Any]) -> None:
        self._handled.begin(entry["seq"], entry["at"])
        kind = entry["type"]
        if kind == "TASK_OFFERED" and (entry.get("task") or {}).get("status") == "OFFERED":
            self._offers.append(entry)
            self._take_offers()
            return
        if kind == "TASK_WITHDRAWN" and entry.get("taskId") in self._runs:
            run, _ = self._runs[entry["taskId"]]
            if run:
                run.take_back("taken back by the engine")
        if kind == "CONTEXT_DELIVERED" and entry.get("handoffId"):
            asyncio.create_task(self._acknowledge_then_finish(entry["handoffId"], entry["seq"]))
            return
        self._finish(entry["seq"])

    def _finish(self, seq: int) -> None:
        moved = self._handled.finish(seq)
        if moved:
            try:
                self._positions.save(self.agent_id, moved)
            except OSError as error:
                self.log(f"feed position not saved: {error}")

    async def _acknowledge_then_finish(self, handoff_id: str, seq: int) -> None:
        try:
            delivery = await until_answered(lambda: self._api.delivery(handoff_id), self._stopping)
            if delivery and not delivery["acknowledged"] and not delivery["withdrawnAt"]:
                if self._on_delivery:
                    result = self._on_delivery(delivery)
                    if inspect.isawaitable(result):
                        await result
                refusal = await until_answered(
                    lambda: self._api.acknowledge(handoff_id, delivery["values"]), self._stopping
                )
                self.log(
                    f"receipt of handoff {handoff_id} refused: {refusal['code']}"
                    if refusal
                    else f"acknowledged what handoff {handoff_id} delivered"
                )
            self._finish(seq)
        except Exception as error:  # noqa: BLE001 — left unhandled: a restart sees the entry again
            if not self._stopping.is_set():
                self.log(f"delivery of handoff {handoff_id} not acknowledged: {error}")

    def _take_offers(self) -> None:
        while len(self._runs) < self._concurrency and self._offers:
            offer = self._offers.pop(0)
            task_id = offer["task"]["taskId"]
            self._runs[task_id] = (None, asyncio.create_task(self._claim_and_run(task_id, offer["seq"])))

    async def _claim_and_run(self, task_id: str, seq: int) -> None:
        try:
            if self._stopping.is_set():
                return  # not claimed: a restart sees the offer again
            fields, token, refusal = await until_answered(lambda: self._api.claim(task_id), self._stopping)
            if refusal or not fields or not token:
                self.log(f"task {task_id} not claimed: {refusal['code'] if refusal else 'UNKNOWN'}")
                self._finish(seq)
                return
            self.log(f"claimed task {task_id} of handoff {fields['handoffId']}")
            delivery = await until_answered(lambda: self._api.delivery(fields["handoffId"]), self._stopping)
            run = TaskRun(
                task_from(fields, (delivery or {}).get("values") or {}), token, self._api, self.log, self._abandon
            )
            self._runs[task_id] = (run, self._runs[task_id][1])
            await run.run(self._handle)
            self._finish(seq)
        except Exception as error:  # noqa: BLE001 — logged; the engine offers the step again if need be
            self.log(f"task {task_id}: {error}")
        finally:
            self._runs.pop(task_id, None)
            if not self._stopping.is_set():
                self._take_offers()


def run_worker(**options: Any) -> None:
    """Runs a Worker until SIGINT or SIGTERM (the options are Worker's)."""
    try:
        asyncio.run(Worker(**options).run_until_signalled())
    except KeyboardInterrupt:
        sys.exit(0)
