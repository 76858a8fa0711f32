import { describe, expect, it } from 'vitest';
import { PRIORITIES, type Priority } from '../../src/engine/kernel/handoff/handoff.js';
import type { FairShareRule } from '../../src/engine/kernel/scheduler/fair-share.js';
import { fairShareKeyOf } from '../../src/engine/kernel/scheduler/fair-share.js';
import { HandoffQueue } from '../../src/engine/kernel/scheduler/handoff-queue.js';
import { seededRandom } from '../../src/engine/shared/random.js';

/** A queue whose runs last until the test finishes them, recording the order they started in. */
function queueOf(limit: number, fairShare: FairShareRule | null = null) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const queue = new HandoffQueue(
    limit,
    (id) =>
      new Promise<void>((resolve) => {
        started.push(id);
        finishers.set(id, resolve);
      }),
    fairShare,
  );
  const finish = async (id: string) => {
    finishers.get(id)!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, started, finish };
}

const perAgent = (limit: number, overrides: [string, number][] = []): FairShareRule => ({
  key: { kind: 'targetAgent' },
  limit,
  overrides: new Map(overrides),
});

describe('HandoffQueue', () => {
  it('without fair share, runs by priority then age up to the overall limit', async () => {
    const { queue, started, finish } = queueOf(1);
    queue.enqueue('a', 'LOW', null);
    queue.enqueue('b', 'LOW', null);
    queue.enqueue('c', 'HIGH', null);
    queue.enqueue('d', 'LOW', 'ignored-without-a-rule');
    expect(started).toEqual(['a']);
    await finish('a');
    await finish('c');
    await finish('b');
    expect(started).toEqual(['a', 'c', 'b', 'd']);
    expect(queue.depthByKey()).toEqual([{ key: null, waiting: 0, running: 1, limit: null }]);
  });

  it('caps each key at its limit and lets other keys pass a blocked one (no head-of-line blocking)', async () => {
    const { queue, started, finish } = queueOf(10, perAgent(1));
    for (const id of ['busy1', 'busy2', 'busy3']) queue.enqueue(id, 'CRITICAL', 'busy');
    queue.enqueue('calm1', 'LOW', 'calm');
    queue.enqueue('free1', 'MEDIUM', null);
    expect(started).toEqual(['busy1', 'calm1', 'free1']);
    expect(queue.runningCount).toBe(3);
    expect(queue.waitingCount).toBe(2);
    expect(queue.depthByKey()).toEqual([
      { key: 'busy', waiting: 2, running: 1, limit: 1 },
      { key: 'calm', waiting: 0, running: 1, limit: 1 },
      { key: null, waiting: 0, running: 1, limit: null },
    ]);
    await finish('busy1');
    expect(started.at(-1)).toBe('busy2');
  });

  it('keeps priority and age order within a key', async () => {
    const { queue, started, finish } = queueOf(10, perAgent(1));
    queue.enqueue('first', 'LOW', 'k');
    queue.enqueue('low', 'LOW', 'k');
    queue.enqueue('high', 'HIGH', 'k');
    queue.enqueue('high2', 'HIGH', 'k');
    await finish('first');
    await finish('high');
    await finish('high2');
    expect(started).toEqual(['first', 'high', 'high2', 'low']);
  });

  it('applies per-key overrides, and the overall limit over every key', async () => {
    const { queue, started, finish } = queueOf(3, perAgent(1, [['big', 2]]));
    for (const id of ['b1', 'b2', 'b3']) queue.enqueue(id, 'MEDIUM', 'big');
    for (const id of ['s1', 's2']) queue.enqueue(id, 'MEDIUM', 'small');
    queue.enqueue('o1', 'MEDIUM', 'other');
    expect(started).toEqual(['b1', 'b2', 's1']);
    await finish('b1');
    // Oldest first among keys with room: b3 arrived before o1, and big has room again.
    expect(started).toEqual(['b1', 'b2', 's1', 'b3']);
    await finish('s1');
    expect(started.at(-1)).toBe('s2');
    await finish('b2');
    expect(started.at(-1)).toBe('o1');
  });

  it('forgets removed handoffs and empty keys', async () => {
    const { queue, started, finish } = queueOf(10, perAgent(1));
    queue.enqueue('a', 'MEDIUM', 'k');
    queue.enqueue('b', 'MEDIUM', 'k');
    queue.enqueue('c', 'MEDIUM', 'k');
    expect(queue.remove('b')).toBe(true);
    expect(queue.remove('b')).toBe(false);
    expect(queue.depthByKey()).toEqual([{ key: 'k', waiting: 1, running: 1, limit: 1 }]);
    await finish('a');
    await finish('c');
    expect(started).toEqual(['a', 'c']);
    expect(queue.depthByKey()).toEqual([]);
    await queue.idle();
  });
});

describe('HandoffQueue against a plain model', () => {
  it.each([1, 2, 3])(
    'always starts the highest-priority, oldest handoff whose key has room (seed %i)',
    async (seed) => {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]) => items[Math.floor(random.next() * items.length)];
      const rule = perAgent(1, [
        ['k1', 2],
        ['k2', 3],
      ]);
      const waiting: { id: string; priority: Priority; key: string | null; order: number }[] = [];
      const running = new Map<string, string | null>();
      const finishers = new Map<string, () => void>();
      const roomFor = (key: string | null) =>
        key === null || [...running.values()].filter((k) => k === key).length < (rule.overrides.get(key) ?? rule.limit);
      let mismatches = 0;
      const queue = new HandoffQueue(
        4,
        (id) => {
          // The model's choice: among keys with room, the highest priority, then the oldest.
          const eligible = waiting.filter((w) => roomFor(w.key));
          eligible.sort((a, b) => PRIORITIES.indexOf(b.priority) - PRIORITIES.indexOf(a.priority) || a.order - b.order);
          if (eligible[0]?.id !== id) mismatches++;
          const started = waiting.splice(
            waiting.findIndex((w) => w.id === id),
            1,
          )[0];
          running.set(id, started.key);
          return new Promise<void>((resolve) => finishers.set(id, resolve));
        },
        rule,
      );
      for (let step = 0; step < 2_000; step++) {
        const action = random.next();
        if (action < 0.5) {
          const id = `h${step}`;
          const entry = { id, priority: pick(PRIORITIES), key: pick(['k1', 'k2', 'k3', 'k4', null]), order: step };
          waiting.push(entry);
          queue.enqueue(id, entry.priority, entry.key);
        } else if (action < 0.6 && waiting.length > 0) {
          const removed = pick(waiting);
          waiting.splice(waiting.indexOf(removed), 1);
          expect(queue.remove(removed.id)).toBe(true);
        } else if (running.size > 0) {
          const id = pick([...running.keys()]);
          running.delete(id);
          finishers.get(id)!();
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(queue.waitingCount).toBe(waiting.length);
        expect(queue.runningCount).toBe(running.size);
      }
      expect(mismatches).toBe(0);
    },
  );
});

describe('fairShareKeyOf', () => {
  const handoff = {
    targetAgent: 'agent-a',
    procedureId: 'AGENT_TO_AGENT',
    metadata: { tenant: { id: 'acme' }, n: 3, list: ['x'] },
  };

  it('reads the target agent, the procedure or a metadata path', () => {
    expect(fairShareKeyOf({ kind: 'targetAgent' }, handoff)).toBe('agent-a');
    expect(fairShareKeyOf({ kind: 'procedure' }, handoff)).toBe('AGENT_TO_AGENT');
    expect(fairShareKeyOf({ kind: 'metadata', path: ['tenant', 'id'] }, handoff)).toBe('acme');
    expect(fairShareKeyOf({ kind: 'metadata', path: ['n'] }, handoff)).toBe('3');
  });

  it('gives no key when the value is missing or not a scalar', () => {
    expect(fairShareKeyOf({ kind: 'targetAgent' }, { ...handoff, targetAgent: null })).toBeNull();
    expect(fairShareKeyOf({ kind: 'metadata', path: ['tenant'] }, handoff)).toBeNull();
    expect(fairShareKeyOf({ kind: 'metadata', path: ['list'] }, handoff)).toBeNull();
    expect(fairShareKeyOf({ kind: 'metadata', path: ['missing', 'id'] }, handoff)).toBeNull();
    expect(fairShareKeyOf({ kind: 'metadata', path: ['toString'] }, handoff)).toBeNull();
  });
});
