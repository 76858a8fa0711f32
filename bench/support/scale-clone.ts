/**
 * One synthetic finished handoff from a real sample: a new id, its place in history, its agents,
 * a final status drawn from a production-like mix, and the sample's timings stretched to seconds.
 * Deterministic in (seed, index), so a rebuilt file holds the same rows.
 */
import { durationMs, type Handoff, type HandoffStatus } from '../../src/engine/kernel/handoff/handoff.js';
import { FINAL_EVENT_BY_STATUS, type HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { stateText } from '../../src/store/handoff-text.js';
import type { SampleHandoff } from './scale-sample.js';

/** 80% completed, 10% failed, 5% rolled back, 5% cancelled. */
const STATUS_MIX: [number, HandoffStatus][] = [
  [0.8, 'COMPLETED'],
  [0.9, 'FAILED'],
  [0.95, 'ROLLED_BACK'],
  [1, 'CANCELLED'],
];
/** Which sample (by procedure) a clone copies: the two standard procedures most, the no-op one least. */
const PROCEDURE_MIX = [0.45, 0.9, 1];
const AGENTS = 200;

export interface CloneOptions {
  samples: SampleHandoff[];
  seed: number;
  /** created_at of the first clone; later ones follow `spacingMs` apart (with jitter). */
  start: number;
  spacingMs: number;
}

export interface Clone {
  row: {
    id: string;
    version: number;
    seq: number;
    status: HandoffStatus;
    procedure_id: string;
    type: string;
    priority: string;
    source_agent: string | null;
    target_agent: string | null;
    source_phase: string | null;
    created_at: number;
    /** The last transition: when it finished. */
    updated_at: number;
    duration_ms: number | null;
    state: string;
    metadata: string;
    cancel_request: string | null;
  };
  events: string[];
}

/** mulberry32: a small seeded generator, one per clone. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An id shaped like the engine's generated ones (`hnd_` and a UUID v4). */
function handoffId(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(next() * 4) + 8) as number).toString(16);
  const text = hex.join('');
  return `hnd_${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

const pick = <T>(mix: [number, T][], roll: number): T => mix.find(([upTo]) => roll < upTo)![1];

/** The final status's marks on the steps: where it stopped, and what was undone. */
function finish(handoff: Handoff, status: HandoffStatus): void {
  handoff.status = status;
  if (status === 'COMPLETED') return;
  const stopped = handoff.steps.length - 1;
  const last = handoff.steps[stopped];
  if (status === 'CANCELLED') {
    handoff.cancelReason = 'cancelled by request';
    handoff.error = 'cancelled by request';
    Object.assign(last, { status: 'PENDING', attempts: 0, startedAt: null, finishedAt: null, output: null });
    handoff.currentStep = stopped;
    return;
  }
  handoff.error = `${last.name} failed after 3 attempts: upstream answered 503`;
  Object.assign(last, { status: 'FAILED', attempts: 3, error: 'upstream answered 503', output: null });
  handoff.currentStep = stopped;
  if (status === 'ROLLED_BACK') {
    for (const step of handoff.steps.slice(0, stopped))
      if (step.kind === 'transfer_context') step.status = 'COMPENSATED';
  }
}

export function cloneHandoff(options: CloneOptions, index: number): Clone {
  const next = random(options.seed * 7_919 + index);
  const procedureRoll = next();
  const sample =
    options.samples[
      Math.min(
        options.samples.length - 1,
        PROCEDURE_MIX.findIndex((upTo) => procedureRoll < upTo),
      )
    ];
  const status = pick(STATUS_MIX, next());
  const id = handoffId(next);
  const createdAt = Math.round(options.start + index * options.spacingMs + next() * options.spacingMs * 0.5);
  // The sample ran in milliseconds; real steps take seconds: stretch every offset from creation.
  const stretch = 500 + Math.floor(next() * 5_000);
  const original = JSON.parse(sample.row.state) as Handoff;
  const at = (time: number | null) => (time === null ? null : createdAt + (time - original.createdAt) * stretch);
  const sourceAgent = `agent_${String(Math.floor(next() * AGENTS)).padStart(3, '0')}`;
  const targetAgent = `agent_${String(Math.floor(next() * AGENTS)).padStart(3, '0')}`;

  const handoff: Handoff = {
    ...original,
    id,
    sourceAgent,
    targetAgent,
    createdAt,
    startedAt: at(original.startedAt),
    finishedAt: at(original.finishedAt),
    steps: original.steps.map((step) => ({ ...step, startedAt: at(step.startedAt), finishedAt: at(step.finishedAt) })),
  };
  finish(handoff, status);
  const events = sample.events.map((text, i, all) => {
    const event = JSON.parse(text) as HandoffEvent;
    event.handoffId = id;
    event.at = at(event.at)!;
    if (event.durationMs !== undefined) event.durationMs *= stretch;
    if (i === all.length - 1 && status !== 'COMPLETED') {
      event.type = FINAL_EVENT_BY_STATUS[status as keyof typeof FINAL_EVENT_BY_STATUS];
      event.status = status;
      event.message = handoff.error ?? status;
    }
    return JSON.stringify(event);
  });
  return {
    row: {
      id,
      version: sample.row.version,
      seq: sample.row.seq,
      status,
      procedure_id: sample.row.procedure_id,
      type: sample.row.type,
      priority: sample.row.priority,
      source_agent: sourceAgent,
      target_agent: targetAgent,
      source_phase: sample.row.source_phase,
      created_at: createdAt,
      updated_at: handoff.finishedAt ?? createdAt,
      duration_ms: durationMs(handoff),
      state: stateText(handoff, handoff.finishedAt ?? createdAt),
      metadata: sample.row.metadata,
      cancel_request:
        status === 'CANCELLED' ? JSON.stringify({ reason: 'cancelled by request', at: handoff.finishedAt }) : null,
    },
    events,
  };
}
