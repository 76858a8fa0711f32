"""A Python worker for crash tests: each handler call is appended to INVOCATIONS_FILE ("<taskId> <handoffId>")
before it works (a few heartbeats), so a test can count calls per task across SIGKILLs."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "python"))

from handoff_worker import FilePosition, run_worker  # noqa: E402


def handle(task, ctx):
    with open(os.environ["INVOCATIONS_FILE"], "a", encoding="utf-8") as calls:
        calls.write(f"{task.task_id} {task.handoff_id}\n")
    for beat in range(1, 5):
        if ctx.cancelled.is_set():
            break
        time.sleep(0.1)
        ctx.heartbeat({"beat": beat})
    return {"handledBy": os.getpid(), "context": task.context}


run_worker(
    url=os.environ["HANDOFF_URL"],
    agent=os.environ["AGENT_ID"],
    position=FilePosition(os.environ["POSITION_FILE"]),
    concurrency=2,
    handle=handle,
)
