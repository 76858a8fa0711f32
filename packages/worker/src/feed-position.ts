import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a worker keeps the last feed entry it has fully handled (every entry up to it is done), so
 * a restart resumes after it instead of replaying the feed from the start. `at` is that entry's
 * time as the server recorded it: a position is checked against the feed before it is trusted, so
 * one saved against another store (a fresh server) is noticed and the feed is read from the start.
 */
export interface FeedPosition {
  seq: number;
  at: string | null;
}

export interface PositionStore {
  load(agentId: string): Promise<FeedPosition | null>;
  save(agentId: string, position: FeedPosition): Promise<void>;
}

/** Keeps the position in memory only: a restarted worker reads the feed from the start. */
export function memoryPosition(): PositionStore {
  const positions = new Map<string, FeedPosition>();
  return {
    load: async (agentId) => positions.get(agentId) ?? null,
    save: async (agentId, position) => void positions.set(agentId, position),
  };
}

/**
 * Keeps the position in a JSON file, written whole to a temporary file and renamed over the old
 * one, so a crash mid-write leaves the previous position rather than a torn file. One file per agent.
 */
export function filePosition(file: string): PositionStore {
  return {
    async load(agentId) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      const saved = JSON.parse(text) as { agentId?: string; seq?: number; at?: string | null };
      if (saved.agentId !== agentId)
        throw new Error(`${file} keeps the feed position of agent ${saved.agentId}, not ${agentId}`);
      return typeof saved.seq === 'number' ? { seq: saved.seq, at: saved.at ?? null } : null;
    },
    async save(agentId, position) {
      await mkdir(path.dirname(path.resolve(file)), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify({ agentId, ...position })}\n`);
      await rename(temporary, file);
    },
  };
}
