"""An agent's worker in Python: reviews what it is handed, one checklist item at a time, with a heartbeat
after each, and returns its review as the step's output (as examples/agent-worker.ts does).

    python3 clients/python/examples/reviewer.py --agent agent_2

Options (or environment): --agent (AGENT_ID), --url (HANDOFF_URL, default http://localhost:4000/graphql),
--key (HANDOFF_API_KEY), --position (a file keeping the last handled feed position; default one per agent and
server in the temporary directory). The agent's registration is left alone unless --register is given (with
--capabilities and --permissions, comma-separated). Needs httpx (pip install httpx).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # handoff_worker, beside this folder

from handoff_worker import FilePosition, Task, TaskContext, TaskFailure, run_worker  # noqa: E402


def reviewer(agent_id: str):
    def review(task: Task, ctx: TaskContext) -> dict:
        task_input = task.input if isinstance(task.input, dict) else {}
        checklist = task_input.get("checklist") or ["work"]
        pace = min(0.2, (task.heartbeat_timeout_ms or 1000) / 4000)
        results = []
        for done, item in enumerate(checklist, start=1):
            if ctx.cancelled.wait(pace):
                raise RuntimeError("taken back")
            results.append({"item": item, "ok": True})
            ctx.heartbeat({"done": done, "of": len(checklist)})
        failure = task_input.get("fail")
        if failure:
            raise TaskFailure(
                failure.get("code", "FAILED"), failure.get("message", "asked to fail"), failure.get("retryable", True)
            )
        return {"reviewedBy": agent_id, "results": results, "contextKeys": sorted(task.context)}

    return review


def main() -> None:
    parser = argparse.ArgumentParser(description="A Handoff worker that reviews plans")
    parser.add_argument("--agent", default=os.environ.get("AGENT_ID"))
    parser.add_argument("--url", default=os.environ.get("HANDOFF_URL", "http://localhost:4000/graphql"))
    parser.add_argument("--key", default=os.environ.get("HANDOFF_API_KEY"))
    parser.add_argument("--position")
    parser.add_argument("--register", action="store_true")
    parser.add_argument("--capabilities", default="")
    parser.add_argument("--permissions", default="")
    args = parser.parse_args()
    if not args.agent:
        parser.error("--agent is required")
    server_tag = hashlib.sha256(args.url.encode()).hexdigest()[:8]
    position = args.position or os.path.join(tempfile.gettempdir(), f"handoff-py-worker-{args.agent}-{server_tag}.json")
    split = lambda text: [part for part in text.split(",") if part]  # noqa: E731
    run_worker(
        url=args.url,
        agent=args.agent,
        key=args.key,
        position=FilePosition(position),
        register={"capabilities": split(args.capabilities), "permissions": split(args.permissions)}
        if args.register
        else None,
        handle=reviewer(args.agent),
    )


if __name__ == "__main__":
    main()
