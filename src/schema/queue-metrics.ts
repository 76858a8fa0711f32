import type { KeyDepth } from '../engine/kernel/scheduler/handoff-queue.js';
import { builder } from './builder.js';

/** This process's handoff queue: what `metrics.queue` reads (engine/handoffs/handoff-queue.ts). */
export interface QueueFigures {
  running: number;
  waiting: number;
  maxConcurrent: number;
  fairShareKey: string | null;
  fairShareLimit: number | null;
  keyCount: number;
  byKey: KeyDepth[];
}

export const QueueKeyDepthRef = builder.objectRef<KeyDepth>('QueueKeyDepth').implement({
  description: 'Handoffs of one fair-share key waiting and running in this process.',
  fields: (t) => ({
    key: t.exposeString('key', {
      nullable: true,
      description:
        'The key (a target agent, a procedure id or a metadata value, per FAIR_SHARE_KEY); null for handoffs without one, or for all of them when fair share is off.',
    }),
    waiting: t.exposeInt('waiting', { description: 'Handoffs of this key waiting for a slot.' }),
    running: t.exposeInt('running', { description: 'Handoffs of this key running now.' }),
    limit: t.exposeInt('limit', {
      nullable: true,
      description: 'How many of this key may run at once; null when only the overall limit applies.',
    }),
  }),
});

export const QueueMetricsRef = builder.objectRef<QueueFigures>('QueueMetrics').implement({
  description:
    "This server process's handoff queue, live (not from the store): each process sharing a store has its own queue and its own limits.",
  fields: (t) => ({
    running: t.exposeInt('running', { description: 'Handoffs running in this process now.' }),
    waiting: t.exposeInt('waiting', {
      description: 'Handoffs waiting here for a slot (the overall limit or their key’s).',
    }),
    maxConcurrent: t.exposeInt('maxConcurrent', {
      description: 'MAX_CONCURRENT_HANDOFFS: handoffs running at once, all keys together.',
    }),
    fairShareKey: t.exposeString('fairShareKey', {
      nullable: true,
      description:
        'FAIR_SHARE_KEY: what handoffs are grouped by for per-key limits (targetAgent, procedure or metadata.<path>); null when fair share is off.',
    }),
    fairShareLimit: t.exposeInt('fairShareLimit', {
      nullable: true,
      description: 'FAIR_SHARE_LIMIT: the default per-key limit; null when fair share is off.',
    }),
    keyCount: t.exposeInt('keyCount', {
      description: 'Keys with handoffs waiting or running here (byKey may list fewer).',
    }),
    // byKey (it takes an argument to check) is added by resolvers/queue-metrics.ts.
  }),
});
