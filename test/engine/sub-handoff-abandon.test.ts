import { describe, expect, it } from 'vitest';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import { StoreUnavailableError } from '../../src/engine/kernel/ports/store-errors.js';
import type { StepExecution } from '../../src/engine/kernel/steps/step-kind.js';
import { childHandoffId, type SubHandoffs, subHandoffStep } from '../../src/engine/kernel/steps/sub-handoff-step.js';

/** A handoff store of two: the parent's child and a stranger that only shares the id pattern's shape. */
function handoffsWith(children: Partial<Handoff>[]): SubHandoffs & { cancelled: string[] } {
  const cancelled: string[] = [];
  return {
    cancelled,
    initiate: async () => {
      throw new Error('not used');
    },
    get: async (id) => (children.find((child) => child.id === id) as Handoff | undefined) ?? null,
    cancel: async (id) => {
      cancelled.push(id);
      return { ok: true, value: children.find((child) => child.id === id) as Handoff };
    },
    revert: async () => {
      throw new Error('not used');
    },
  };
}

/** An attempt of step `delegate`, run 2, attempt 1, cut short before it suspended (nothing resumed). */
function cutShort(parentId: string): StepExecution {
  return {
    handoff: { id: parentId, run: 2 } as Handoff,
    step: { id: 'delegate' },
    attempt: 1,
    action: { params: { procedureId: 'CHILD' } },
    resumed: null,
  } as unknown as StepExecution;
}

describe('a sub_handoff attempt cut short before it suspended', () => {
  it('cancels the child it had started (found by the attempt id) and fails with the reason', async () => {
    const childId = childHandoffId('parent_1', 'delegate', 2, 1);
    const handoffs = handoffsWith([{ id: childId, status: 'RUNNING', parent: { handoffId: 'parent_1' } as never }]);
    const timedOut = new Error('step timed out');
    await expect(subHandoffStep(() => handoffs).abandon!(cutShort('parent_1'), timedOut)).rejects.toBe(timedOut);
    expect(handoffs.cancelled).toEqual([childId]);
  });

  it('asks the child again while the store fails, so it does not run on under a step that gave up', async () => {
    const childId = childHandoffId('parent_1', 'delegate', 2, 1);
    const handoffs = handoffsWith([{ id: childId, status: 'RUNNING', parent: { handoffId: 'parent_1' } as never }]);
    const cancelOnce = handoffs.cancel;
    let failures = 2;
    handoffs.cancel = async (id, reason) => {
      if (failures-- > 0) throw new StoreUnavailableError('write to handoffs', new Error('database is locked'));
      return cancelOnce(id, reason);
    };
    const waits: number[] = [];
    const execution = {
      ...cutShort('parent_1'),
      clock: { now: () => 0, sleep: async (ms: number) => void waits.push(ms) },
    } as unknown as StepExecution;
    const timedOut = new Error('step timed out');
    await expect(subHandoffStep(() => handoffs).abandon!(execution, timedOut)).rejects.toBe(timedOut);
    expect(handoffs.cancelled).toEqual([childId]);
    expect(waits).toEqual([50, 100]);
  });

  it('leaves alone a handoff with that id that another parent started', async () => {
    const childId = childHandoffId('parent_1', 'delegate', 2, 1);
    const handoffs = handoffsWith([{ id: childId, status: 'RUNNING', parent: { handoffId: 'someone_else' } as never }]);
    const timedOut = new Error('step timed out');
    await expect(subHandoffStep(() => handoffs).abandon!(cutShort('parent_1'), timedOut)).rejects.toBe(timedOut);
    expect(handoffs.cancelled).toEqual([]);
  });

  it('succeeds with a child that completed while it was being cancelled (the rollback then undoes it)', async () => {
    const childId = childHandoffId('parent_1', 'delegate', 2, 1);
    const child: Partial<Handoff> = { id: childId, status: 'RUNNING', parent: { handoffId: 'parent_1' } as never };
    const handoffs = handoffsWith([child]);
    handoffs.cancel = async (id) => {
      handoffs.cancelled.push(id);
      child.status = 'COMPLETED';
      return { ok: false, errors: [{ code: 'INVALID_STATE', message: 'already completed' }] } as never;
    };
    const output = await subHandoffStep(() => handoffs).abandon!(cutShort('parent_1'), new Error('cancelled'));
    expect(output).toEqual({ childId, status: 'COMPLETED' });
  });

  it('cancels a child whose start finished after the runner gave up on the attempt', async () => {
    const controller = new AbortController();
    const children: Partial<Handoff>[] = [];
    const handoffs = handoffsWith(children);
    handoffs.initiate = async (input) => {
      // The cancel lands while the child is being stored.
      controller.abort(new Error('cancelled: chaos'));
      const child = { id: input.handoffId, status: 'PENDING', parent: { handoffId: 'parent_1' } } as Handoff;
      children.push(child);
      return { ok: true, value: child };
    };
    const execution = {
      ...cutShort('parent_1'),
      handoff: { id: 'parent_1', run: 2, metadata: {} } as unknown as Handoff,
      signal: controller.signal,
    } as StepExecution;
    await expect(subHandoffStep(() => handoffs).run(execution)).rejects.toThrow('cancelled: chaos');
    expect(handoffs.cancelled).toEqual([childHandoffId('parent_1', 'delegate', 2, 1)]);
  });
});
