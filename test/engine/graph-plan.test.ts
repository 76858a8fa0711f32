import { describe, expect, it } from 'vitest';
import type { Handoff, StepRun, StepStatus } from '../../src/engine/kernel/handoff/handoff.js';
import { DEFAULT_RETRY, type Procedure, type StepDefinition } from '../../src/engine/kernel/procedures/procedure.js';
import { type PlanContext, planGraph } from '../../src/engine/kernel/runner/graph-plan.js';

/** The planner alone: the same stored state always plans the same moves. */

function step(id: string, extra: Partial<StepDefinition> = {}): StepDefinition {
  return {
    id,
    name: id,
    kind: 'noop',
    params: {},
    timeoutMs: 1_000,
    retry: DEFAULT_RETRY,
    validateRules: [],
    compensation: null,
    ...extra,
  };
}

function procedure(steps: StepDefinition[], maxParallelSteps?: number): Procedure {
  return {
    id: 'P',
    version: 1,
    name: 'P',
    description: '',
    steps,
    validationRules: [],
    estimatedDurationMs: 0,
    dependencies: [],
    requiredAgents: [],
    requiredContextKeys: [],
    blockingSeverities: ['CRITICAL'],
    maxParallelSteps,
    createdAt: 0,
    updatedAt: 0,
  };
}

function run(id: string, status: StepStatus = 'PENDING', extra: Partial<StepRun> = {}): StepRun {
  const started = status !== 'PENDING' && status !== 'SKIPPED';
  return {
    id,
    name: id,
    kind: 'noop',
    status,
    attempts: started ? 1 : 0,
    startedAt: null,
    finishedAt: null,
    error: null,
    output: null,
    retryAt: null,
    ...extra,
  };
}

function handoff(steps: StepRun[]): Handoff {
  return {
    id: 'h',
    procedureId: 'P',
    procedureVersion: 1,
    type: 'AGENT_HANDOFF',
    priority: 'MEDIUM',
    sourcePhase: null,
    targetPhase: null,
    sourceAgent: null,
    targetAgent: null,
    metadata: {},
    status: 'RUNNING',
    steps,
    currentStep: 0,
    error: null,
    cancelReason: null,
    createdAt: 0,
    startedAt: 0,
    finishedAt: null,
    version: 1,
    seq: 1,
    test: null,
  };
}

const context = (extra: Partial<PlanContext> = {}): PlanContext => ({
  now: 1_000,
  busy: new Set(),
  signalled: () => false,
  mayStart: true,
  ...extra,
});

const diamond = procedure([
  step('a'),
  step('b', { after: ['a'] }),
  step('c', { after: ['a'] }),
  step('d', { after: ['b', 'c'] }),
]);

describe('planGraph', () => {
  it('walks a diamond: a, then b and c together, then d, then completes', () => {
    const at = (...statuses: StepStatus[]) =>
      planGraph(handoff(statuses.map((status, i) => run('abcd'[i], status))), diamond, context());
    expect(at('PENDING', 'PENDING', 'PENDING', 'PENDING').start).toEqual([0]);
    expect(at('SUCCEEDED', 'PENDING', 'PENDING', 'PENDING').start).toEqual([1, 2]);
    expect(at('SUCCEEDED', 'SUCCEEDED', 'RUNNING', 'PENDING')).toMatchObject({ start: [], interrupted: [2] });
    expect(at('SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'PENDING').start).toEqual([3]);
    expect(at('SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED')).toMatchObject({ complete: true, doomed: null });
  });

  it('a chain is what it always was: one step after the other', () => {
    const chain = procedure([step('a'), step('b'), step('c')]);
    const h = handoff([run('a', 'SUCCEEDED'), run('b'), run('c')]);
    expect(planGraph(h, chain, context()).start).toEqual([1]);
  });

  it('starts nothing new while a pause is due, but lets a waiting attempt go on when its signal came', () => {
    const h = handoff([
      run('a', 'SUCCEEDED'),
      run('b', 'WAITING', { wait: { on: 'b', until: 5_000, data: null, startedAt: 0 } }),
      run('c'),
      run('d'),
    ]);
    expect(planGraph(h, diamond, context({ mayStart: false, signalled: (name) => name === 'b' }))).toMatchObject({
      start: [],
      resume: [1],
    });
    expect(planGraph(h, diamond, context())).toMatchObject({ start: [2], resume: [] });
  });

  it('2 of 3: starts once two succeeded, cancels the third; one failure is contained, two are not', () => {
    const review = procedure([
      step('x', { after: [] }),
      step('y', { after: [] }),
      step('z', { after: [] }),
      step('go', { after: ['x', 'y', 'z'], join: { mode: 'N_OF', count: 2, others: 'CANCEL' } }),
    ]);
    const plan = (statuses: StepStatus[]) =>
      planGraph(handoff(statuses.map((status, i) => run(['x', 'y', 'z', 'go'][i], status))), review, context());
    expect(plan(['SUCCEEDED', 'FAILED', 'WAITING', 'PENDING'])).toMatchObject({ start: [], doomed: null });
    expect(plan(['SUCCEEDED', 'WAITING', 'SUCCEEDED', 'PENDING']).start).toEqual([3]);
    expect(plan(['SUCCEEDED', 'WAITING', 'SUCCEEDED', 'RUNNING']).cancel).toEqual([
      { index: 1, reason: expect.stringContaining('go went on once 2 of 3 succeeded') },
    ]);
    expect(plan(['FAILED', 'WAITING', 'FAILED', 'PENDING']).doomed).toContain('go can never start');
  });

  it('skips what waits only for skipped steps, in one plan, and completes around them', () => {
    const h = handoff([run('a', 'SUCCEEDED'), run('b', 'SKIPPED'), run('c', 'SUCCEEDED'), run('d')]);
    const chainOfSkips = procedure([
      step('a'),
      step('b', { after: ['a'] }),
      step('c', { after: ['b'] }),
      step('d', { after: ['c'] }),
    ]);
    const skipped = handoff([run('a', 'SUCCEEDED'), run('b', 'SKIPPED'), run('c'), run('d')]);
    expect(planGraph(skipped, chainOfSkips, context()).skip.map((verdict) => verdict.index)).toEqual([2, 3]);
    expect(planGraph(h, diamond, context()).start).toEqual([3]);
  });

  it('a failed step nothing waits for dooms the handoff; so does a join that can no longer be met', () => {
    const h = handoff([run('a', 'SUCCEEDED'), run('b', 'FAILED'), run('c', 'WAITING'), run('d')]);
    expect(planGraph(h, diamond, context()).doomed).toBe('d can never start: b failed');
    const last = handoff([run('a', 'SUCCEEDED'), run('b', 'SUCCEEDED'), run('c', 'SUCCEEDED'), run('d', 'FAILED')]);
    expect(planGraph(last, diamond, context()).doomed).toBe('d failed');
  });

  it('keeps within maxParallelSteps and within a list step maxConcurrent, counting waits and retries', () => {
    const wide = procedure(
      ['a', 'b', 'c', 'd'].map((id) => step(id, { after: [] })),
      2,
    );
    expect(planGraph(handoff(['a', 'b', 'c', 'd'].map((id) => run(id))), wide, context()).start).toEqual([0, 1]);
    const retrying = handoff([run('a', 'PENDING', { attempts: 1, retryAt: 2_000 }), run('b'), run('c'), run('d')]);
    expect(planGraph(retrying, wide, context()).start).toEqual([1]);
    const perItem = procedure([step('fan', { forEach: { items: 'context.list', maxConcurrent: 2 } })]);
    const branch = (index: number, status: StepStatus) =>
      run(`fan[${index}]`, status, { branch: { of: 'fan', index, item: index } });
    const fanned = handoff([
      run('fan', 'RUNNING', { attempts: 0, fanOut: { branches: 4 } }),
      branch(0, 'SUCCEEDED'),
      branch(1, 'RUNNING'),
      branch(2, 'PENDING'),
      branch(3, 'PENDING'),
    ]);
    expect(planGraph(fanned, perItem, context({ busy: new Set([2]) })).start).toEqual([3]);
  });

  it('decides a list step once its join over the branches is met, and cancels the branches left', () => {
    const perItem = procedure([
      step('fan', { forEach: { items: 'context.list', join: { mode: 'ANY', others: 'CANCEL' } } }),
      step('after'),
    ]);
    const branch = (index: number, status: StepStatus) =>
      run(`fan[${index}]`, status, { branch: { of: 'fan', index, item: index } });
    const h = handoff([
      run('fan', 'RUNNING', { attempts: 0, fanOut: { branches: 3 } }),
      run('after'),
      branch(0, 'FAILED'),
      branch(1, 'SUCCEEDED'),
      branch(2, 'WAITING'),
    ]);
    const plan = planGraph(h, perItem, context());
    expect(plan.settle).toEqual([{ index: 0, succeeded: true, reason: '1 of 3 branches succeeded (1 of 3 needed)' }]);
    expect(plan.cancel.map((verdict) => verdict.index)).toEqual([4]);
    expect(plan.doomed).toBeNull();
  });
});
