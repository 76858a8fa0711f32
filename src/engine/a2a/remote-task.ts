/**
 * A task as an A2A agent reports it, in our own plain terms: the bridge reasons about these, and
 * only the peer adapter (sdk-a2a-peers.ts) knows the protocol's wire types.
 */

/** A2A task states (v1.0's TASK_STATE_*, written as the specification's prose writes them). */
export const REMOTE_TASK_STATES = [
  'submitted',
  'working',
  'input-required',
  'auth-required',
  'completed',
  'failed',
  'canceled',
  'rejected',
  'unknown',
] as const;
export type RemoteTaskState = (typeof REMOTE_TASK_STATES)[number];

const TERMINAL: ReadonlySet<RemoteTaskState> = new Set(['completed', 'failed', 'canceled', 'rejected']);

/** A state the agent's task never leaves. */
export function isTerminalState(state: RemoteTaskState): boolean {
  return TERMINAL.has(state);
}

/** One part of a message or artifact: text, JSON data, or a file (by URL, or only described when sent inline). */
export interface RemotePart {
  text?: string;
  data?: unknown;
  url?: string;
  /** Bytes sent inline are not kept: only how many there were. */
  bytes?: number;
  mediaType?: string;
  filename?: string;
}

export interface RemoteArtifact {
  artifactId: string;
  name: string;
  description: string;
  parts: RemotePart[];
}

export interface RemoteTask {
  id: string;
  contextId: string;
  state: RemoteTaskState;
  /** The status message's id ('' without one): a question asked again comes in a new message. */
  statusMessageId: string;
  /** The parts of the status message: the agent's question while input-required, its reason when failed. */
  statusParts: RemotePart[];
  /** The status message's metadata (`retryable: false` on a failed task is honoured). */
  statusMetadata: Record<string, unknown> | null;
  artifacts: RemoteArtifact[];
}

/** The text parts, joined by blank lines. */
export function partsText(parts: readonly RemotePart[]): string {
  return parts
    .map((part) => part.text)
    .filter((text): text is string => typeof text === 'string' && text.length > 0)
    .join('\n\n');
}

/** The data parts' values. */
export function partsData(parts: readonly RemotePart[]): unknown[] {
  return parts.filter((part) => 'data' in part).map((part) => part.data);
}

/** What we send an agent: a string as a text part, anything else as one JSON data part. */
export function partsOf(value: unknown): RemotePart[] {
  if (typeof value === 'string') return [{ text: value }];
  return [{ data: value ?? null }];
}
