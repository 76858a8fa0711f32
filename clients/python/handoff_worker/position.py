"""Where a worker keeps the last feed entry it has fully handled, so a restart resumes after it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class FeedPosition:
    seq: int
    #: The entry's time as the server recorded it: a position is checked against the feed before it is trusted.
    at: str | None


class PositionStore(Protocol):
    def load(self, agent_id: str) -> FeedPosition | None: ...
    def save(self, agent_id: str, position: FeedPosition) -> None: ...


class MemoryPosition:
    """Kept in memory only: a restarted worker reads the feed from the start."""

    def __init__(self) -> None:
        self._positions: dict[str, FeedPosition] = {}

    def load(self, agent_id: str) -> FeedPosition | None:
        return self._positions.get(agent_id)

    def save(self, agent_id: str, position: FeedPosition) -> None:
        self._positions[agent_id] = position


class FilePosition:
    """Kept in a JSON file, written whole to a temporary file and renamed over the old one (never torn)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def load(self, agent_id: str) -> FeedPosition | None:
        try:
            saved = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        if saved.get("agentId") != agent_id:
            raise ValueError(f"{self.path} keeps the feed position of agent {saved.get('agentId')}, not {agent_id}")
        return FeedPosition(int(saved["seq"]), saved.get("at"))

    def save(self, agent_id: str, position: FeedPosition) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"agentId": agent_id, "seq": position.seq, "at": position.at}) + "\n", "utf-8")
        os.replace(temporary, self.path)
