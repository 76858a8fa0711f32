"""handoff_worker: an agent's worker for a Handoff server.

Worker(url=..., agent=..., key=..., handle=...) follows the agent's feed (GraphQL over Server-Sent Events),
acknowledges what handoffs deliver, claims the tasks offered to the agent and runs `handle` on each, with
heartbeats, and sends its output or failure. Only dependency: httpx.
"""

from .canonical import canonical_digest, canonical_json
from .graphql_client import GraphQLRequestError, UnreachableError
from .position import FeedPosition, FilePosition, MemoryPosition, PositionStore
from .task import Task, TaskContext, TaskFailure
from .worker import Worker, run_worker

__all__ = [
    "FeedPosition",
    "FilePosition",
    "GraphQLRequestError",
    "MemoryPosition",
    "PositionStore",
    "Task",
    "TaskContext",
    "TaskFailure",
    "UnreachableError",
    "Worker",
    "canonical_digest",
    "canonical_json",
    "run_worker",
]
