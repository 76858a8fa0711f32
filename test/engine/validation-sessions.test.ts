import { describe, expect, it, vi } from 'vitest';
import { AgentService } from '../../src/engine/agents/agent-service.js';
import type { Procedure } from '../../src/engine/kernel/procedures/procedure.js';
import type { Clock } from '../../src/engine/shared/clock.js';
import { silentLogger } from '../../src/engine/shared/logger.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import type { RuleEvaluator, Verdict } from '../../src/engine/validation/rule-runner.js';
import { ValidationRuleService } from '../../src/engine/validation/rule-service.js';
import type { ValidationProgressEvent } from '../../src/engine/validation/session.js';
import { type HandoffLookup, ValidationService } from '../../src/engine/validation/validation-service.js';
import { AgentRepository } from '../../src/store/repositories/agent-repository.js';
import { ValidationRuleRepository } from '../../src/store/repositories/validation-rule-repository.js';
import { ValidationSessionRepository } from '../../src/store/repositories/validation-session-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';

/** Time moves only when the test says so; sleeps wake on `advance`. */
class ManualClock implements Clock {
  t = 1_000_000;
  private timers: { at: number; wake: () => void }[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = { at: this.t + ms, wake: resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((other) => other !== timer);
        reject(signal.reason);
      });
    });
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((timer) => timer.at <= this.t);
    this.timers = this.timers.filter((timer) => timer.at > this.t);
    for (const timer of due) timer.wake();
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
}

/** An evaluator whose verdicts the test hands out one rule at a time. */
function gatedEvaluator() {
  const started: string[] = [];
  const gates = new Map<string, (verdict: Verdict | Error) => void>();
  const evaluator: RuleEvaluator = (rule) =>
    new Promise<Verdict>((resolve, reject) => {
      started.push(rule.id);
      gates.set(rule.id, (verdict) => (verdict instanceof Error ? reject(verdict) : resolve(verdict)));
    });
  const release = (ruleId: string, verdict: Verdict | Error = { passed: true, message: 'ok' }) =>
    gates.get(ruleId)!(verdict);
  return { evaluator, started, release };
}

const PROCEDURE = {
  id: 'P',
  validationRules: ['R1', 'R2', 'R3'],
  requiredContextKeys: ['task'],
  blockingSeverities: ['CRITICAL'],
} as unknown as Procedure;

async function setup(evaluator?: RuleEvaluator, db = SqliteDatabase.inMemory()) {
  const clock = new ManualClock();
  const rules = new ValidationRuleService(await ValidationRuleRepository.open(db), clock, { list: async () => [] });
  const agents = new AgentService(await AgentRepository.open(db), clock, 30_000);
  const sessions = await ValidationSessionRepository.open(db);
  const makeService = (withEvaluator = evaluator, handoffLookup: HandoffLookup = async () => null) =>
    new ValidationService({
      rules,
      sessions,
      agents,
      procedures: { get: async (id) => (id === 'P' ? PROCEDURE : null) },
      handoffLookup,
      clock,
      random: seededRandom(3),
      logger: silentLogger,
      evaluator: withEvaluator,
    });
  for (const [id, severity] of [
    ['R1', 'CRITICAL'],
    ['R2', 'HIGH'],
    ['R3', 'LOW'],
  ] as const) {
    await rules.create({ id, name: `Rule ${id}`, severity, condition: { 'context.ok': true }, timeoutMs: 50 });
  }
  return { clock, rules, agents, sessions, service: makeService(), makeService, db };
}

async function drain(events: AsyncIterableIterator<ValidationProgressEvent>): Promise<ValidationProgressEvent[]> {
  const out: ValidationProgressEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('validation sessions', () => {
  it("runs the procedure's rules in parallel, stores the results and decides the outcome", async () => {
    const gate = gatedEvaluator();
    const { service } = await setup(gate.evaluator);
    const run = service.runSession({ procedureId: 'P', context: { ok: true } });
    // All three rules are running before any has finished.
    await vi.waitFor(() => expect(gate.started.sort()).toEqual(['R1', 'R2', 'R3']));
    gate.release('R3', { passed: false, message: 'low failed' });
    gate.release('R1');
    gate.release('R2');
    const outcome = await run;
    if (!outcome.ok) throw new Error('refused');
    expect(outcome.value.session).toMatchObject({
      status: 'COMPLETED',
      outcome: 'PASSED_WITH_WARNINGS',
      procedureId: 'P',
      ruleIds: ['R1', 'R2', 'R3'],
    });
    const stored = await service.results(outcome.value.session.id);
    expect(stored.map((r) => [r.seq, r.ruleId, r.status])).toEqual([
      [1, 'R3', 'FAILED'],
      [2, 'R1', 'PASSED'],
      [3, 'R2', 'PASSED'],
    ]);
    expect(outcome.value.session.subject.derived.missingContextKeys).toEqual(['task']);
  });

  it('turns a rule that throws or times out into ERROR, never a crash', async () => {
    const gate = gatedEvaluator();
    const { service, clock } = await setup(gate.evaluator);
    const run = service.runSession({ ruleIds: ['R1', 'R2', 'R3'], context: {} });
    await vi.waitFor(() => expect(gate.started).toHaveLength(3));
    gate.release('R2', new Error('boom'));
    gate.release('R3');
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1)); // only R1's timeout is left
    clock.advance(50);
    const outcome = await run;
    if (!outcome.ok) throw new Error('refused');
    const results = Object.fromEntries(outcome.value.results.map((r) => [r.ruleId, r]));
    expect(results.R1).toMatchObject({
      status: 'ERROR',
      message: 'The rule did not finish within 50 ms',
      durationMs: 50,
    });
    expect(results.R2).toMatchObject({ status: 'ERROR', message: expect.stringContaining('boom') });
    expect(results.R3.status).toBe('PASSED');
    expect(outcome.value.session.outcome).toBe('FAILED'); // R1 is CRITICAL
  });

  it('skips disabled rules and evaluates real conditions by default', async () => {
    const { service, rules } = await setup();
    await rules.setEnabled('R1', false);
    const outcome = await service.runSession({ ruleIds: ['R1', 'R2'], context: { ok: false } });
    if (!outcome.ok) throw new Error('refused');
    expect(outcome.value.results.map((r) => [r.ruleId, r.status]).sort()).toEqual([
      ['R1', 'SKIPPED'],
      ['R2', 'FAILED'],
    ]);
    expect(outcome.value.session.outcome).toBe('PASSED_WITH_WARNINGS');
  });

  it('refuses unknown procedures and rule ids', async () => {
    const { service } = await setup();
    expect(await service.start({ procedureId: 'NOPE', ruleIds: ['R1', 'X'] })).toEqual({
      ok: false,
      errors: [
        { code: 'NOT_FOUND', message: 'No procedure "NOPE" exists', field: ['input', 'procedureId'] },
        { code: 'NOT_FOUND', message: 'No validation rule "X" exists', field: ['input', 'ruleIds', '1'] },
      ],
    });
  });

  it('evaluates for the handoff runner without storing, an unknown rule being a blocking ERROR', async () => {
    const { service, sessions } = await setup();
    const evaluation = await service.evaluate({ ruleIds: ['R1', 'GONE'], subject: { context: { ok: true } } });
    expect(evaluation.outcome).toBe('FAILED');
    expect(evaluation.results.map((r) => [r.ruleId, r.status]).sort()).toEqual([
      ['GONE', 'ERROR'],
      ['R1', 'PASSED'],
    ]);
    expect(await sessions.count({})).toBe(0);
  });

  it('fills agents, phases and metadata from the handoff lookup', async () => {
    const { makeService, agents } = await setup();
    await agents.register({ id: 'target', permissions: ['handoff:receive'] });
    const service = makeService(undefined, async (id) =>
      id === 'h1'
        ? {
            handoff: { handoffId: 'h1', sourceAgent: 'source', targetAgent: 'target', sourcePhase: 'p1' },
            procedureId: 'P',
            metadata: { ok: true, task: 't' },
          }
        : null,
    );
    const outcome = await service.runSession({ handoffId: 'h1' });
    if (!outcome.ok) throw new Error('refused');
    const { subject } = outcome.value.session;
    expect(subject.handoff).toMatchObject({
      handoffId: 'h1',
      sourceAgent: 'source',
      targetAgent: 'target',
      sourcePhase: 'p1',
    });
    expect(subject.target).toMatchObject({ registered: true, status: 'READY' });
    expect(subject.source.registered).toBe(false);
    expect(subject.derived.missingContextKeys).toEqual([]);
    expect(outcome.value.session).toMatchObject({ procedureId: 'P', outcome: 'PASSED' });
  });
});

describe('validation progress', () => {
  it('streams live results as they finish, then the outcome, then ends', async () => {
    const gate = gatedEvaluator();
    const { service } = await setup(gate.evaluator);
    const started = await service.start({ ruleIds: ['R1', 'R2'] });
    if (!started.ok) throw new Error('refused');
    expect(started.value.status).toBe('RUNNING');
    const events = (await service.progress(started.value.id))!;
    await vi.waitFor(() => expect(gate.started).toHaveLength(2));

    gate.release('R2', { passed: false, message: 'nope' });
    expect((await events.next()).value).toMatchObject({
      seq: 1,
      ruleId: 'R2',
      status: 'FAILED',
      message: 'nope',
      outcome: null,
    });

    // A late subscriber gets R2 replayed from the store, then R1 live: each once.
    const late = (await service.progress(started.value.id))!;
    gate.release('R1');
    const rest = await drain(events);
    expect(rest.map((e) => [e.seq, e.ruleId, e.status, e.outcome])).toEqual([
      [2, 'R1', 'PASSED', null],
      [3, null, null, 'PASSED_WITH_WARNINGS'],
    ]);
    const lateEvents = await drain(late);
    expect(lateEvents.map((e) => e.ruleId)).toEqual(['R2', 'R1', null]);
  });

  it('replays a finished session and ignores duplicates published while replaying', async () => {
    const { service, sessions } = await setup();
    const run = await service.runSession({ ruleIds: ['R1', 'R2', 'R3'], context: { ok: true } });
    if (!run.ok) throw new Error('refused');
    const sessionId = run.value.session.id;
    const stored = await service.results(sessionId);
    // A result published while the subscriber reads the store (the race replay must survive).
    const read = sessions.results.bind(sessions);
    sessions.results = async (id) => {
      const results = await read(id);
      service.progressTopic.publish({
        sessionId,
        seq: 1,
        ruleId: stored[0].ruleId,
        severity: 'CRITICAL',
        status: 'PASSED',
        message: 'dup',
        durationMs: 0,
        outcome: null,
        at: 0,
      });
      return results;
    };
    const all = await drain((await service.progress(sessionId))!);
    expect(all.map((e) => e.ruleId)).toEqual([...stored.map((r) => r.ruleId), null]);
    expect(all[3]).toMatchObject({ seq: 4, outcome: 'PASSED' });
  });

  it('delivers each rule once even when its result is published twice', async () => {
    const gate = gatedEvaluator();
    const { service } = await setup(gate.evaluator);
    const started = await service.start({ ruleIds: ['R1', 'R2'] });
    if (!started.ok) throw new Error('refused');
    const events = (await service.progress(started.value.id))!;
    await vi.waitFor(() => expect(gate.started).toHaveLength(2));
    gate.release('R1');
    const first = (await events.next()).value as ValidationProgressEvent;
    service.progressTopic.publish({ ...first, message: 'again' });
    gate.release('R2');
    const rest = await drain(events);
    expect(rest.map((e) => e.ruleId)).toEqual(['R2', null]);
  });

  it('returns null for an unknown session and releases its listener', async () => {
    const { service } = await setup();
    expect(await service.progress('nope')).toBeNull();
    expect(service.progressTopic.subscriberCount).toBe(0);
  });

  it('releases the listener when the consumer stops early', async () => {
    const gate = gatedEvaluator();
    const { service } = await setup(gate.evaluator);
    const started = await service.start({ ruleIds: ['R1'] });
    if (!started.ok) throw new Error('refused');
    const events = (await service.progress(started.value.id))!;
    const pending = events.next();
    await events.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(service.progressTopic.subscriberCount).toBe(0);
  });
});

describe('restart', () => {
  it('completes sessions a stopped process left RUNNING, marking unfinished rules ERROR', async () => {
    const gate = gatedEvaluator();
    const { service, makeService } = await setup(gate.evaluator);
    const started = await service.start({ ruleIds: ['R1', 'R2', 'R3'] });
    if (!started.ok) throw new Error('refused');
    await vi.waitFor(() => expect(gate.started).toHaveLength(3));
    gate.release('R2');
    await vi.waitFor(async () => expect(await service.results(started.value.id)).toHaveLength(1));

    // A new process over the same store: R1 and R3 never finished.
    const next = makeService(undefined);
    expect(await next.recoverInterrupted()).toBe(1);
    const session = (await next.get(started.value.id))!;
    expect(session).toMatchObject({ status: 'COMPLETED', outcome: 'FAILED' });
    const results = await next.results(started.value.id);
    expect(results.map((r) => [r.ruleId, r.status])).toEqual([
      ['R2', 'PASSED'],
      ['R1', 'ERROR'],
      ['R3', 'ERROR'],
    ]);
    expect(results[1].message).toContain('Interrupted');
    expect(await next.recoverInterrupted()).toBe(0);
  });
});
