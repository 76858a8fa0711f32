"""One claimed task, from the handler's only call to the outcome the server accepted."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from .agent_api import AgentApi, until_answered, wait_for_event
from .graphql_client import UnreachableError
from .task import Handler, Task, TaskContext, TaskFailure

#: Without a heartbeat timeout, a heartbeat is sent this often anyway (it finds a task that was taken back).
IDLE_HEARTBEAT_S = 30.0
#: How long after its deadline an outcome is still worth sending (clocks differ; the server decides).
DEADLINE_SLACK_S = 60.0


class TaskRun:
    """Heartbeats while the handler runs (every third of the heartbeat timeout), then sends its output as the
    completion, or its TaskFailure (any other exception as HANDLER_ERROR) as the failure. Outcomes are sent again
    while the server cannot be reached (the same token makes that safe) until it answers or the deadline passed."""

    def __init__(self, task: Task, token: str, api: AgentApi, log: Callable[[str], None], abandon: asyncio.Event):
        self.task = task
        self.token = token
        self.api = api
        self.log = log
        self.abandon = abandon
        self.interruption: str | None = None
        self.progress: Any = None
        self.loop = asyncio.get_running_loop()
        self.beat_now = asyncio.Event()
        self.context = TaskContext(self._report_progress)

    def take_back(self, reason: str) -> None:
        """The task is no longer ours: the handler should stop; nothing is sent."""
        self._interrupt("taken back", reason)

    def hand_back(self) -> None:
        """The worker is stopping: unless the handler still returns an output, the task is handed back."""
        self._interrupt("stopping", "the worker is stopping")

    def _interrupt(self, kind: str, reason: str) -> None:
        if self.interruption is None:
            self.interruption = kind
            self.context.cancelled.set()
            self.log(f"task {self.task.task_id}: {reason}")

    def _report_progress(self, progress: Any) -> None:
        self.progress = progress
        self.loop.call_soon_threadsafe(self.beat_now.set)

    async def run(self, handler: Handler) -> None:
        beating = asyncio.create_task(self._heartbeats())
        output: dict[str, Any] | None = None
        error: BaseException | None = None
        try:
            if inspect.iscoroutinefunction(handler):
                output = await handler(self.task, self.context)
            else:
                output = await asyncio.to_thread(handler, self.task, self.context)
        except Exception as raised:  # the handler's failure is the task's outcome
            error = raised
        finally:
            beating.cancel()
            await asyncio.gather(beating, return_exceptions=True)
        if self.interruption == "taken back":
            self.log(f"task {self.task.task_id} was taken back; not sent")
            return
        if error is None:
            await self._send("completed", lambda: self.api.complete(self.task.task_id, self.token, output))
            return
        code, message, retryable = self._failure_of(error)
        await self._send(
            f"failed ({code})", lambda: self.api.fail(self.task.task_id, self.token, code, message, retryable)
        )

    def _failure_of(self, error: BaseException) -> tuple[str, str, bool]:
        if isinstance(error, TaskFailure):
            return error.code, error.message, error.retryable
        if self.interruption == "stopping":
            return "WORKER_STOPPED", "the worker stopped before finishing: handed back", True
        return "HANDLER_ERROR", str(error) or type(error).__name__, True

    async def _send(self, what: str, outcome) -> None:
        deadline = datetime.fromisoformat(self.task.deadline_at.replace("Z", "+00:00"))
        wait = max(0.0, (deadline - datetime.now(timezone.utc)).total_seconds()) + DEADLINE_SLACK_S
        give_up = asyncio.Event()
        timer = self.loop.call_later(wait, give_up.set)
        watcher = asyncio.create_task(self._forward(self.abandon, give_up))
        try:
            refusal = await until_answered(
                outcome, give_up, lambda error: self.log(f"task {self.task.task_id}: {error}; sending again")
            )
            if refusal:
                self.log(f"task {self.task.task_id} not {what}: {refusal['code']}: {refusal['message']}")
            else:
                self.log(f"{what} task {self.task.task_id}")
        except UnreachableError as error:
            self.log(f"task {self.task.task_id} not {what}: {error}")
        finally:
            timer.cancel()
            watcher.cancel()

    @staticmethod
    async def _forward(source: asyncio.Event, target: asyncio.Event) -> None:
        await source.wait()
        target.set()

    async def _heartbeats(self) -> None:
        timeout = self.task.heartbeat_timeout_ms
        every = max(0.01, timeout / 3000) if timeout else IDLE_HEARTBEAT_S
        while self.interruption is None:
            await wait_for_event(self.beat_now, every)
            self.beat_now.clear()
            if self.interruption is not None:
                return
            try:
                refusal = await self.api.heartbeat_task(self.task.task_id, self.token, self.progress)
                if refusal:
                    self.take_back(f"heartbeat refused: {refusal['code']}")
            except Exception as error:  # noqa: BLE001 — the next heartbeat tries again
                self.log(f"task {self.task.task_id}: heartbeat not sent: {error}")


def task_from(fields: dict[str, Any], context: dict[str, Any]) -> Task:
    return Task(
        task_id=fields["taskId"],
        handoff_id=fields["handoffId"],
        step=fields["step"],
        name=fields["name"],
        attempt=fields["attempt"],
        compensation=fields["compensation"],
        input=fields.get("input"),
        heartbeat_timeout_ms=fields.get("heartbeatTimeoutMs"),
        deadline_at=fields["deadlineAt"],
        context=context,
    )
