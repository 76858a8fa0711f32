"""What a handler receives: the task, and what it may do besides returning its output."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Union


class TaskFailure(Exception):
    """Raised by a handler (or ctx.fail) to fail its task with the agent's own code.

    With retryable=False the step fails for good; otherwise the engine may offer it again. Any other
    exception a handler raises fails the task as HANDLER_ERROR, retryable.
    """

    def __init__(self, code: str, message: str, retryable: bool = True):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable


@dataclass
class Task:
    task_id: str
    handoff_id: str
    #: The step (or compensation) id.
    step: str
    name: str
    attempt: int
    #: True when it undoes a step during a rollback.
    compensation: bool
    #: What the procedure gives the agent to work on (the step's params.input).
    input: Any
    #: The engine takes a claimed task back without a heartbeat for this long; the worker heartbeats for you.
    heartbeat_timeout_ms: int | None
    #: When the step's timeout ends the attempt (RFC 3339).
    deadline_at: str
    #: What the task's handoff delivered to this agent (its inbox entry's values), read before the handler runs.
    context: dict[str, Any] = field(default_factory=dict)


class TaskContext:
    """Given to a handler with its task. Safe to use from the handler's thread when the handler is a plain function."""

    def __init__(self, report_progress: Callable[[Any], None]):
        #: Set when the task is no longer yours (taken back) or the worker stops: stop working.
        self.cancelled = threading.Event()
        self._report_progress = report_progress

    def heartbeat(self, progress: Any = None) -> None:
        """Records progress details (a JSON value) and sends a heartbeat with them in the background."""
        self._report_progress(progress)

    def fail(self, code: str, message: str, retryable: bool = True) -> None:
        """Fails the task with the agent's own code (raises TaskFailure)."""
        raise TaskFailure(code, message, retryable)


Output = Union[dict[str, Any], None]
#: An async function, or a plain one (run in a thread), returning the step's output (a dict) or None.
Handler = Callable[[Task, TaskContext], Union[Output, Awaitable[Output]]]
