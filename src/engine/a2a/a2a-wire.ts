import { type AgentCard, Artifact, Message, type StreamResponse, Task, TaskStatus } from '@a2a-js/sdk';
import type { A2ACardSummary } from './a2a-agent.js';
import { PeerError } from './a2a-peers.js';
import {
  REMOTE_TASK_STATES,
  type RemoteArtifact,
  type RemotePart,
  type RemoteTask,
  type RemoteTaskState,
} from './remote-task.js';

/**
 * The A2A protocol's JSON (what the SDK's types serialise to, as the specification writes it) read into
 * our plain terms, and our parts written back: everything the peers adapter knows of the wire format.
 */

/** The bindings we speak, as cards name them. */
const BINDINGS = ['JSONRPC', 'HTTP+JSON'];

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** `TASK_STATE_INPUT_REQUIRED` (v1.0) or `input-required` (v0.3) → input-required. */
export function stateFromWire(value: unknown): RemoteTaskState {
  const name = text(value)
    .toLowerCase()
    .replace(/^task_state_/, '')
    .replace(/_/g, '-');
  return (REMOTE_TASK_STATES as readonly string[]).includes(name) ? (name as RemoteTaskState) : 'unknown';
}

export function partFromWire(wire: unknown): RemotePart {
  const part = object(wire);
  const described = {
    ...(typeof part.mediaType === 'string' && part.mediaType ? { mediaType: part.mediaType } : {}),
    ...(typeof part.filename === 'string' && part.filename ? { filename: part.filename } : {}),
  };
  if (typeof part.text === 'string') return { text: part.text, ...described };
  if ('data' in part) return { data: part.data ?? null, ...described };
  if (typeof part.url === 'string') return { url: part.url, ...described };
  if (typeof part.raw === 'string') return { bytes: Buffer.byteLength(part.raw, 'base64'), ...described };
  return described;
}

function partsFromWire(wire: unknown): RemotePart[] {
  return Array.isArray(wire) ? wire.map(partFromWire) : [];
}

function artifactFromWire(wire: unknown): RemoteArtifact {
  const artifact = object(wire);
  return {
    artifactId: text(artifact.artifactId),
    name: text(artifact.name),
    description: text(artifact.description),
    parts: partsFromWire(artifact.parts),
  };
}

function statusFromWire(
  wire: unknown,
): Pick<RemoteTask, 'state' | 'statusMessageId' | 'statusParts' | 'statusMetadata'> {
  const status = object(wire);
  const message = object(status.message);
  const metadata = object(message.metadata);
  return {
    state: stateFromWire(status.state),
    statusMessageId: text(message.messageId),
    statusParts: partsFromWire(message.parts),
    statusMetadata: Object.keys(metadata).length > 0 ? metadata : null,
  };
}

/** A task as the SDK parsed it, in our terms (read from its protocol JSON, the documented shape). */
export function remoteTaskOf(task: Task): RemoteTask {
  const wire = object(Task.toJSON(task));
  return {
    id: text(wire.id),
    contextId: text(wire.contextId),
    ...statusFromWire(wire.status),
    artifacts: Array.isArray(wire.artifacts) ? wire.artifacts.map(artifactFromWire) : [],
  };
}

/** A reply without a task (a plain message) reads as a task completed with that message as its artifact. */
export function repliedTask(message: Message, current: RemoteTask | null): RemoteTask {
  const parts = partsFromWire(object(Message.toJSON(message)).parts);
  return {
    id: current?.id || message.taskId,
    contextId: current?.contextId || message.contextId,
    state: 'completed',
    statusMessageId: message.messageId,
    statusParts: parts,
    statusMetadata: null,
    artifacts: [{ artifactId: message.messageId || 'reply', name: 'reply', description: '', parts }],
  };
}

function withArtifact(task: RemoteTask, artifact: RemoteArtifact, append: boolean): RemoteTask {
  const index = task.artifacts.findIndex((candidate) => candidate.artifactId === artifact.artifactId);
  if (index === -1) return { ...task, artifacts: [...task.artifacts, artifact] };
  const existing = task.artifacts[index]!;
  const merged = append ? { ...existing, parts: [...existing.parts, ...artifact.parts] } : artifact;
  return { ...task, artifacts: task.artifacts.map((candidate, at) => (at === index ? merged : candidate)) };
}

/** Folds one streamed update into the task as it stood. */
export function applyUpdate(current: RemoteTask | null, update: StreamResponse): RemoteTask | null {
  const payload = update.payload;
  if (!payload) return current;
  switch (payload.$case) {
    case 'task':
      return remoteTaskOf(payload.value);
    case 'message':
      return repliedTask(payload.value, current);
    case 'statusUpdate': {
      const base = current ?? { ...blankTask(), id: payload.value.taskId, contextId: payload.value.contextId };
      return payload.value.status ? { ...base, ...statusFromWire(TaskStatus.toJSON(payload.value.status)) } : base;
    }
    case 'artifactUpdate': {
      const base = current ?? { ...blankTask(), id: payload.value.taskId, contextId: payload.value.contextId };
      const artifact = payload.value.artifact;
      return artifact ? withArtifact(base, artifactFromWire(Artifact.toJSON(artifact)), payload.value.append) : base;
    }
  }
}

function blankTask(): RemoteTask {
  return {
    id: '',
    contextId: '',
    state: 'unknown',
    statusMessageId: '',
    statusParts: [],
    statusMetadata: null,
    artifacts: [],
  };
}

export function partToWire(part: RemotePart): Json {
  if (part.text !== undefined) return { text: part.text };
  if (part.url !== undefined) return { url: part.url, ...(part.mediaType ? { mediaType: part.mediaType } : {}) };
  return { data: part.data ?? null, mediaType: 'application/json' };
}

/** The first interface we speak, a 1.0 one preferred within a binding (as the SDK's client chooses). */
function chosenInterface(card: AgentCard): { url: string; protocolBinding: string; protocolVersion: string } {
  const interfaces = (card.supportedInterfaces ?? []).filter((candidate) =>
    BINDINGS.includes(text(candidate.protocolBinding).toUpperCase()),
  );
  const first = interfaces[0];
  if (!first) throw new PeerError('refused', 'the card names no JSONRPC or HTTP+JSON interface');
  const best =
    interfaces.find(
      (candidate) =>
        candidate.protocolBinding.toUpperCase() === first.protocolBinding.toUpperCase() &&
        candidate.protocolVersion === '1.0',
    ) ?? first;
  return { url: best.url, protocolBinding: best.protocolBinding, protocolVersion: best.protocolVersion || '1.0' };
}

export function summaryOf(card: AgentCard): A2ACardSummary {
  if (!text(card.name)) throw new PeerError('refused', 'the card has no name');
  return {
    name: card.name,
    description: text(card.description),
    version: text(card.version),
    ...chosenInterface(card),
    streaming: card.capabilities?.streaming === true,
    pushNotifications: card.capabilities?.pushNotifications === true,
    skills: (card.skills ?? [])
      .filter((skill) => text(skill.id))
      .map((skill) => ({
        id: skill.id,
        name: text(skill.name, skill.id),
        description: text(skill.description),
        tags: (skill.tags ?? []).filter((tag) => typeof tag === 'string'),
      })),
    raw: JSON.parse(JSON.stringify(card)),
  };
}
