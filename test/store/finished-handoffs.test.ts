import { describe, expect, it } from 'vitest';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import { FinishedHandoffs } from '../../src/store/repositories/finished-handoffs.js';

function handoff(id: string, status: Handoff['status']): Handoff {
  return {
    id,
    status,
    procedureId: 'P',
    procedureVersion: 1,
    type: 'PHASE_TRANSITION',
    priority: 'MEDIUM',
    sourcePhase: null,
    targetPhase: null,
    sourceAgent: null,
    targetAgent: null,
    steps: [
      {
        id: 's',
        name: 's',
        kind: 'noop',
        status: 'SUCCEEDED',
        attempts: 1,
        startedAt: 1,
        finishedAt: 2,
        error: null,
        output: { n: 1 },
        retryAt: null,
      },
    ],
    currentStep: 1,
    error: null,
    cancelReason: null,
    createdAt: 0,
    startedAt: 1,
    finishedAt: 2,
    version: 3,
    seq: 4,
    test: null,
    metadata: { k: 'v' },
  } as Handoff;
}

describe('FinishedHandoffs', () => {
  it('keeps finished handoffs only, and gives each reader its own top-level object over frozen shared parts', () => {
    const cache = new FinishedHandoffs(10_000);
    cache.remember(handoff('running', 'RUNNING'), 100);
    expect(cache.get('running')).toBeUndefined();

    const kept = cache.remember(handoff('done', 'COMPLETED'), 100);
    const a = cache.get('done')!;
    const b = cache.get('done')!;
    expect(a).toEqual(kept);
    expect(a).not.toBe(b);
    (a as { status: string }).status = 'FAILED';
    expect(cache.get('done')!.status).toBe('COMPLETED');
    expect(() => {
      (a.steps[0].output as { n: number }).n = 2;
    }).toThrow(TypeError);
    expect(() => ((a.metadata as Record<string, unknown>).k = 'w')).toThrow(TypeError);
  });

  it('holds at most its byte budget (three heap bytes per byte of text), dropping the least recently read, and nothing at budget 0', () => {
    const cache = new FinishedHandoffs(6_000);
    cache.remember(handoff('a', 'COMPLETED'), 900);
    cache.remember(handoff('b', 'FAILED'), 900);
    cache.get('a');
    cache.remember(handoff('c', 'CANCELLED'), 900);
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
    cache.remember(handoff('huge', 'COMPLETED'), 2_001);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();

    const off = new FinishedHandoffs(0);
    off.remember(handoff('a', 'COMPLETED'), 10);
    expect(off.get('a')).toBeUndefined();
  });

  it('forgets what retention deleted: the ids given, and every copy finished before the cut-off (deleted by another process)', () => {
    const cache = new FinishedHandoffs(10_000);
    const at = (id: string, finishedAt: number) => cache.remember({ ...handoff(id, 'COMPLETED'), finishedAt }, 100);
    at('deleted_here', 50);
    at('old_elsewhere', 5);
    at('recent', 20);
    cache.forget(['deleted_here'], 10);
    expect(['deleted_here', 'old_elsewhere', 'recent'].map((id) => cache.get(id)?.id ?? null)).toEqual([
      null,
      null,
      'recent',
    ]);
  });
});
