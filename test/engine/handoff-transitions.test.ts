import { describe, expect, it } from 'vitest';
import type { Handoff, HandoffStatus, StepRun } from '../../src/engine/kernel/handoff/handoff.js';
import {
  type AttemptFailure,
  compensationFailed,
  compensationRetryScheduled,
  compensationSucceeded,
  completeHandoff,
  failGates,
  failStep,
  finish,
  isRefused,
  passGates,
  pause,
  recordInterruption,
  redrive,
  redriveStart,
  resume,
  scheduleRetry,
  startAttempt,
  startCompensation,
  startRollback,
  succeedStep,
  type Transition,
  type TransitionResult,
} from '../../src/engine/kernel/handoff/handoff-transitions.js';
import { DEFAULT_RETRY, type Procedure, type StepDefinition } from '../../src/engine/kernel/procedures/procedure.js';

/** The kinds of this test's procedure: none waits. */
const noWaits = () => null;

/** The status machine without a store: each transition from a state it applies to, and refused from one it does not. */

function stepDefinition(id: string): StepDefinition {
  return {
    id,
    name: id,
    kind: 'noop',
    params: {},
    timeoutMs: 1_000,
    retry: DEFAULT_RETRY,
    validateRules: [],
    compensation: { id: `${id}_undo`, name: `undo ${id}`, kind: 'noop', params: {}, timeoutMs: 1_000 },
  };
}

const procedure: Procedure = {
  id: 'P',
  version: 2,
  name: 'P',
  description: '',
  steps: [stepDefinition('a'), stepDefinition('b'), stepDefinition('c')],
  validationRules: [],
  estimatedDurationMs: 0,
  deadlineMs: null,
  dependencies: [],
  requiredAgents: [],
  requiredContextKeys: [],
  blockingSeverities: ['CRITICAL'],
  createdAt: 0,
  updatedAt: 0,
};

function step(id: string, overrides: Partial<StepRun> = {}): StepRun {
  return {
    id,
    name: id,
    kind: 'noop',
    status: 'PENDING',
    attempts: 0,
    compensationAttempts: 0,
    startedAt: null,
    finishedAt: null,
    error: null,
    output: null,
    retryAt: null,
    ...overrides,
  };
}

function handoff(status: HandoffStatus, overrides: Partial<Handoff> = {}): Handoff {
  return {
    id: 'h1',
    procedureId: 'P',
    procedureVersion: 2,
    type: 'AGENT_HANDOFF',
    priority: 'MEDIUM',
    sourcePhase: null,
    targetPhase: null,
    sourceAgent: null,
    targetAgent: null,
    metadata: { ticket: 'T-1' },
    status,
    steps: [step('a'), step('b'), step('c')],
    currentStep: 0,
    error: null,
    cancelReason: null,
    createdAt: 0,
    startedAt: null,
    finishedAt: null,
    version: 5,
    seq: 7,
    test: null,
    ...overrides,
  };
}

const failure: AttemptFailure = {
  message: 'attempt 1 failed: nope',
  code: 'HTTP_503',
  durationMs: 3,
  timeout: false,
  retryable: true,
  data: {},
};

function applied(result: TransitionResult): Transition {
  if (isRefused(result)) throw new Error(`refused: ${result.refused.message}`);
  return result;
}

function expectWrongState(result: TransitionResult): void {
  expect(result).toEqual({ refused: { code: 'WRONG_STATE', message: expect.any(String) } });
}

function running(stepStatus: StepRun['status'] = 'RUNNING', index = 0): Handoff {
  const h = handoff('RUNNING', { currentStep: index, startedAt: 1 });
  h.steps[index] = step(h.steps[index].id, { status: stepStatus, attempts: 1, startedAt: 1 });
  for (let i = 0; i < index; i++) h.steps[i] = step(h.steps[i].id, { status: 'SUCCEEDED', attempts: 1 });
  return h;
}

describe('handoff transitions', () => {
  it('bump the version and seq by their events and never change the handoff they are given', () => {
    const h = handoff('PENDING');
    const before = structuredClone(h);
    const { next, events } = applied(passGates(h, procedure, 'ok', 10, noWaits));
    expect(h).toEqual(before);
    expect(next).toMatchObject({ version: 6, seq: 7 + events.length, status: 'RUNNING', startedAt: 10 });
    expect(events.map((e) => e.type)).toEqual(['GATES_PASSED', 'HANDOFF_STARTED', 'STEP_STARTED']);
    expect(next.steps[0]).toMatchObject({ status: 'RUNNING', attempts: 1 });
  });

  it('passGates and failGates apply to PENDING only', () => {
    expect(applied(failGates(handoff('PENDING'), 'VR001 failed', ['VR001'], 4)).next).toMatchObject({
      status: 'FAILED',
      errorCode: 'GATES_FAILED',
      finishedAt: 4,
    });
    expectWrongState(passGates(handoff('RUNNING'), procedure, 'ok', 1, noWaits));
    expectWrongState(failGates(handoff('COMPLETED'), 'x', [], 1));
  });

  it('recordInterruption changes nothing but the history, on a handoff a runner was running', () => {
    const { next, events } = applied(recordInterruption(running()));
    expect(next.status).toBe('RUNNING');
    expect(events).toEqual([expect.objectContaining({ type: 'HANDOFF_INTERRUPTED', step: 'a', attempt: 1 })]);
    expectWrongState(recordInterruption(handoff('PAUSED')));
  });

  it('startAttempt counts the attempt before it runs, also for a resumed (PENDING) handoff', () => {
    const h = running('PENDING');
    expect(applied(startAttempt(h, procedure.steps[0], 9, noWaits)).next.steps[0]).toMatchObject({
      status: 'RUNNING',
      attempts: 2,
      attemptStartedAt: 9,
    });
    expect(applied(startAttempt({ ...h, status: 'PENDING' }, procedure.steps[0], 9, noWaits)).next.status).toBe(
      'RUNNING',
    );
    expectWrongState(startAttempt(handoff('ROLLING_BACK'), procedure.steps[0], 9, noWaits));
  });

  it('succeedStep starts the next step, completes, or holds between steps', () => {
    const result = { output: { ok: true }, durationMs: 2, extra: [] };
    const started = applied(
      succeedStep(
        running(),
        procedure.steps[0],
        result,
        { followUp: 'START_NEXT', next: procedure.steps[1], waitingFor: noWaits },
        5,
      ),
    ).next;
    expect(started).toMatchObject({ currentStep: 1, status: 'RUNNING' });
    expect(started.steps[1]).toMatchObject({ status: 'RUNNING', attempts: 1 });
    const held = applied(succeedStep(running(), procedure.steps[0], result, { followUp: 'HOLD' }, 5)).next;
    expect(held).toMatchObject({ currentStep: 1, status: 'RUNNING' });
    expect(held.steps[1]).toMatchObject({ status: 'PENDING', attempts: 0 });
    const last = applied(succeedStep(running('RUNNING', 2), procedure.steps[2], result, { followUp: 'COMPLETE' }, 5));
    expect(last.next).toMatchObject({ status: 'COMPLETED', finishedAt: 5, currentStep: 3 });
    expect(last.events.at(-1)!.type).toBe('HANDOFF_COMPLETED');
    expectWrongState(succeedStep(handoff('PAUSED'), procedure.steps[0], result, { followUp: 'HOLD' }, 5));
    expect(applied(completeHandoff(handoff('RUNNING', { currentStep: 3 }), 8)).next.status).toBe('COMPLETED');
  });

  it('scheduleRetry and failStep record the failure code; both need an attempt that ran', () => {
    const retry = applied(scheduleRetry(running(), procedure.steps[0], failure, 400, 10, 400));
    expect(retry.next.steps[0]).toMatchObject({ status: 'PENDING', errorCode: 'HTTP_503', retryAt: 410 });
    expect(retry.events.map((e) => e.type)).toEqual(['STEP_FAILED', 'STEP_RETRY_SCHEDULED']);
    expect(retry.events[0].data).toMatchObject({ code: 'HTTP_503', retryable: true });
    expect(retry.events[1].data).toEqual({ delayMs: 400, retryAfterMs: 400 });
    const failed = applied(
      failStep(
        running(),
        procedure.steps[0],
        { ...failure, code: 'HTTP_400', retryable: false },
        'a failed',
        'HTTP_400',
        11,
      ),
    ).next;
    expect(failed).toMatchObject({ error: 'a failed', errorCode: 'HTTP_400' });
    expect(failed.steps[0]).toMatchObject({ status: 'FAILED', errorCode: 'HTTP_400', finishedAt: 11 });
    expectWrongState(scheduleRetry(handoff('PENDING'), procedure.steps[0], failure, 1, 1, null));
    expectWrongState(failStep(handoff('COMPLETED'), procedure.steps[0], failure, 'x', 'X', 1));
  });

  it('startRollback and finish end an unfinished handoff (PAUSED included); a deadline cancel keeps its code', () => {
    const rolling = applied(startRollback(running('PENDING', 1), 'cancelled: stop', ['a'], 3)).next;
    expect(rolling).toMatchObject({ status: 'ROLLING_BACK', error: 'cancelled: stop' });
    expect(applied(startRollback(handoff('PAUSED'), 'cancelled', ['a'], 3)).next.status).toBe('ROLLING_BACK');
    expectWrongState(startRollback(handoff('ROLLING_BACK'), 'again', [], 3));
    const expired = applied(finish(rolling, 'CANCELLED', 'cancelled and rolled back', 'DEADLINE_EXCEEDED: passed', 4));
    expect(expired.next).toMatchObject({
      status: 'CANCELLED',
      errorCode: 'DEADLINE_EXCEEDED',
      cancelReason: 'DEADLINE_EXCEEDED: passed',
      finishedAt: 4,
    });
    expect(expired.events).toEqual([expect.objectContaining({ type: 'HANDOFF_CANCELLED' })]);
    expect(applied(finish(handoff('PAUSED'), 'CANCELLED', 'x', 'stop', 4)).next).toMatchObject({
      errorCode: 'CANCELLED',
      pause: null,
    });
    expectWrongState(finish(handoff('ROLLED_BACK'), 'COMPLETED', 'x', null, 4));
  });

  it('compensation transitions apply while ROLLING_BACK only', () => {
    const h = handoff('ROLLING_BACK', {
      steps: [step('a', { status: 'SUCCEEDED', attempts: 1 }), step('b'), step('c')],
    });
    const compensation = procedure.steps[0].compensation!;
    const started = applied(startCompensation(h, 0, compensation, 1, 3)).next;
    expect(started.steps[0]).toMatchObject({ status: 'COMPENSATING', compensationAttempts: 1 });
    expect(applied(compensationRetryScheduled(started, 0, 1, 'boom', 50, 7)).next.steps[0].error).toBe(
      'compensation attempt 1 failed: boom',
    );
    expect(applied(compensationSucceeded(started, 0, compensation, 1, 5)).next.steps[0].status).toBe('COMPENSATED');
    expect(applied(compensationFailed(started, 0, compensation, 3, 'boom', 5)).next.steps[0].status).toBe(
      'COMPENSATION_FAILED',
    );
    expectWrongState(startCompensation(handoff('RUNNING'), 0, compensation, 1, 3));
  });

  it('pause applies between attempts only, and resume moves the back-off and the deadline on by the time paused', () => {
    const request = { number: 1, reason: 'maintenance', actor: { keyName: 'ops', agentId: null }, at: 5 };
    expect(pause(running('RUNNING'), request, 10)).toEqual({
      refused: { code: 'WRONG_STATE', message: expect.stringContaining('in flight') },
    });
    const backingOff = running('PENDING');
    backingOff.steps[0].retryAt = 500;
    backingOff.deadlineAt = 1_000;
    const paused = applied(pause(backingOff, request, 100));
    expect(paused.next).toMatchObject({
      status: 'PAUSED',
      pausesHonoured: 1,
      pause: { at: 100, reason: 'maintenance' },
    });
    expect(paused.events).toEqual([expect.objectContaining({ type: 'HANDOFF_PAUSED', step: 'a' })]);
    expectWrongState(pause(handoff('COMPLETED'), request, 10));
    const resumed = applied(resume(paused.next, null, 400));
    expect(resumed.next).toMatchObject({ status: 'PENDING', pause: null, deadlineAt: 1_300 });
    expect(resumed.next.steps[0].retryAt).toBe(800);
    expect(resumed.events[0].data).toMatchObject({ pausedMs: 300 });
    expectWrongState(resume(handoff('RUNNING'), null, 1));
  });

  it('redriveStart restarts from the first step a rollback undid, allows an earlier step, refuses a later one', () => {
    const rolledBack = handoff('ROLLED_BACK', {
      steps: [
        step('a', { status: 'SUCCEEDED', attempts: 1 }),
        step('b', { status: 'COMPENSATED', attempts: 1 }),
        step('c', { status: 'FAILED', attempts: 3 }),
      ],
      currentStep: 2,
    });
    expect(redriveStart(rolledBack, null)).toEqual({ index: 1 });
    expect(redriveStart(rolledBack, 'a')).toEqual({ index: 0 });
    expect(redriveStart(rolledBack, 'c')).toMatchObject({ refused: { code: 'WRONG_STATE', field: 'fromStep' } });
    expect(redriveStart(rolledBack, 'zzz')).toMatchObject({ refused: { code: 'WRONG_STATE', field: 'fromStep' } });
    expect(redriveStart(handoff('FAILED'), null)).toEqual({ index: 0 });
  });

  it('redrive opens the next run from a failed state: later steps reset, earlier ones kept, metadata patched', () => {
    const failed = handoff('FAILED', {
      steps: [
        step('a', { status: 'SUCCEEDED', attempts: 1, output: { id: 7 } }),
        step('b', { status: 'FAILED', attempts: 3, error: 'x', errorCode: 'HTTP_500' }),
        step('c'),
      ],
      currentStep: 1,
      error: 'b failed',
      errorCode: 'HTTP_500',
      finishedAt: 50,
      deadlineMs: 1_000,
    });
    const result = applied(
      redrive(failed, procedure, { index: 1, metadata: { ticket: 'T-2' }, actor: null, deadlineMs: 1_000 }, 100),
    );
    expect(result.writesMetadata).toBe(true);
    expect(result.next).toMatchObject({
      status: 'PENDING',
      run: 2,
      currentStep: 1,
      error: null,
      errorCode: null,
      finishedAt: null,
      deadlineAt: 1_100,
      metadata: { ticket: 'T-2' },
    });
    expect(result.next.steps[0]).toMatchObject({ status: 'SUCCEEDED', output: { id: 7 } });
    expect(result.next.steps[1]).toMatchObject({ status: 'PENDING', attempts: 0, error: null, errorCode: null });
    expect(result.events).toEqual([
      expect.objectContaining({
        type: 'HANDOFF_REDRIVEN',
        step: 'b',
        data: expect.objectContaining({ run: 2, previousStatus: 'FAILED' }),
      }),
    ]);
    expect(
      applied(redrive(failed, procedure, { index: 1, metadata: null, actor: null, deadlineMs: null }, 100))
        .writesMetadata,
    ).toBe(false);
    for (const status of ['PENDING', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELLED'] as const)
      expectWrongState(
        redrive(handoff(status), procedure, { index: 0, metadata: null, actor: null, deadlineMs: null }, 1),
      );
  });
});
