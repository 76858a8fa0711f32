import { describe, expect, it } from 'vitest';
import type { AgentFacts } from '../../src/engine/agents/agent-service.js';
import { checkCondition, compileCondition, referencedPaths } from '../../src/engine/validation/condition.js';
import { decideOutcome, type ValidationRule } from '../../src/engine/validation/rule.js';
import { conditionEvaluator } from '../../src/engine/validation/rule-runner.js';
import { seedRules } from '../../src/engine/validation/seed-rules.js';
import {
  buildSubject,
  canonicalJson,
  payloadDigest,
  type SubjectInput,
  sampleSubject,
} from '../../src/engine/validation/subject.js';

const RULES = new Map(seedRules(0).map((rule) => [rule.id, rule]));

function agent(overrides: Partial<AgentFacts> = {}): AgentFacts {
  return {
    id: 'agent',
    registered: true,
    status: 'READY',
    reportedStatus: 'READY',
    permissions: ['handoff:send', 'handoff:receive'],
    capabilities: [],
    heartbeatAgeMs: 10,
    heartbeatFresh: true,
    ...overrides,
  };
}

/** Builds the subject the engine would, with the given registry facts for source and target. */
async function check(
  ruleId: string,
  input: SubjectInput,
  agents: { source?: Partial<AgentFacts>; target?: Partial<AgentFacts> } = {},
) {
  const subject = await buildSubject(
    { handoff: { sourceAgent: 'source', targetAgent: 'target' }, ...input },
    async (id) => agent({ id, ...(id === 'source' ? agents.source : agents.target) }),
  );
  const controller = new AbortController();
  return conditionEvaluator(RULES.get(ruleId)!, subject, controller.signal);
}

describe('seed rules', () => {
  it('are the eight rules of the seed with their severities', () => {
    expect([...RULES.values()].map((r) => `${r.id} ${r.severity} ${r.name}`)).toEqual([
      'VR001 CRITICAL Phase Completion Check',
      'VR002 CRITICAL Resource Availability Check',
      'VR003 HIGH State Consistency Check',
      'VR004 CRITICAL Agent Readiness Validation',
      'VR005 CRITICAL Context Transfer Validation',
      'VR006 HIGH Connection Stability Check',
      'VR007 MEDIUM Permission Validation',
      'VR008 HIGH Data Integrity Check',
    ]);
    for (const rule of RULES.values())
      expect(checkCondition(rule.condition, sampleSubject(), ['condition'])).toEqual([]);
  });

  it('VR001 passes when the phase is complete and fails otherwise', async () => {
    expect(await check('VR001', { context: { phaseComplete: true } })).toMatchObject({ passed: true });
    const failed = await check('VR001', { context: { phaseComplete: 'yes' } });
    expect(failed).toEqual({
      passed: false,
      message:
        'Phase Completion Check failed. The source phase is marked complete: context.phaseComplete must be true. ' +
        'Found context.phaseComplete = "yes".',
      detail: 'Expected {"context.phaseComplete":true}; found context.phaseComplete = "yes"',
    });
    expect(await check('VR001', { context: {} })).toMatchObject({
      passed: false,
      message: expect.stringContaining('Found no context.phaseComplete.'),
      detail: expect.stringContaining('context.phaseComplete = (missing)'),
    });
  });

  it('VR002 passes when every listed resource is available (or none is listed) and fails on one that is not', async () => {
    expect(await check('VR002', { context: { resources: [{ name: 'db', available: true }] } })).toMatchObject({
      passed: true,
    });
    expect(await check('VR002', { context: {} })).toMatchObject({ passed: true });
    const failed = await check('VR002', {
      context: {
        resources: [
          { name: 'db', available: true },
          { name: 'gpu', available: false },
        ],
      },
    });
    expect(failed.passed).toBe(false);
    expect(failed.detail).toContain(
      'found context.resources = [{"name":"db","available":true},{"name":"gpu","available":false}]',
    );
    expect(await check('VR002', { context: { resources: [{ name: 'queue' }] } })).toMatchObject({ passed: false });
  });

  it('VR003 passes when the checksums agree and fails when they differ or are absent', async () => {
    expect(await check('VR003', { context: { sourceStateChecksum: 'a1', targetStateChecksum: 'a1' } })).toMatchObject({
      passed: true,
    });
    const differ = await check('VR003', { context: { sourceStateChecksum: 'a1', targetStateChecksum: 'b2' } });
    expect(differ.passed).toBe(false);
    expect(differ.detail).toContain('context.sourceStateChecksum = "a1", context.targetStateChecksum = "b2"');
    expect(differ.message).toContain(
      'Found context.sourceStateChecksum = "a1" and context.targetStateChecksum = "b2".',
    );
    expect(await check('VR003', { context: {} })).toMatchObject({ passed: false });
    expect(await check('VR003', { context: { sourceStateChecksum: null, targetStateChecksum: null } })).toMatchObject({
      passed: false,
    });
  });

  it('VR004 passes for a registered READY target and fails for a busy, offline or unknown one', async () => {
    expect(await check('VR004', {})).toMatchObject({ passed: true });
    const busy = await check('VR004', {}, { target: { status: 'BUSY' } });
    expect(busy).toMatchObject({ passed: false, message: expect.stringContaining('target.status = "BUSY"') });
    expect(await check('VR004', {}, { target: { status: 'OFFLINE', heartbeatFresh: false } })).toMatchObject({
      passed: false,
    });
    expect(await check('VR004', {}, { target: { registered: false, status: null } })).toMatchObject({ passed: false });
  });

  it('VR005 passes when the required context keys are present and fails naming the missing ones', async () => {
    const procedure = { id: 'AGENT_HANDOFF_STANDARD', requiredContextKeys: ['task', 'knowledge'] };
    expect(await check('VR005', { procedure, context: { task: {}, knowledge: [] } })).toMatchObject({ passed: true });
    expect(await check('VR005', { context: {} })).toMatchObject({ passed: true }); // nothing required
    const failed = await check('VR005', { procedure, context: { task: {}, knowledge: null } });
    expect(failed).toMatchObject({
      passed: false,
      message: expect.stringContaining('derived.missingContextKeys = ["knowledge"]'),
    });
  });

  it('VR005 checks the receipt where the procedure requires one', async () => {
    const procedure = { id: 'RECEIPTED', requiredContextKeys: ['task'] };
    expect(await check('VR005', { procedure, context: { task: 1 }, receiptConfirmed: true })).toMatchObject({
      passed: true,
    });
    expect(await check('VR005', { procedure, context: { task: 1 }, receiptConfirmed: null })).toMatchObject({
      passed: true,
    }); // none required
    const unconfirmed = await check('VR005', { procedure, context: { task: 1 }, receiptConfirmed: false });
    expect(unconfirmed).toMatchObject({
      passed: false,
      message: expect.stringContaining('derived.receiptConfirmed = false'),
    });
  });

  it('VR006 passes for a fresh target heartbeat and fails for a stale one', async () => {
    expect(await check('VR006', {})).toMatchObject({ passed: true });
    const stale = await check(
      'VR006',
      {},
      { target: { heartbeatFresh: false, heartbeatAgeMs: 45_000, status: 'OFFLINE' } },
    );
    expect(stale).toMatchObject({ passed: false, message: expect.stringContaining('target.heartbeatFresh = false') });
  });

  it('VR007 passes when the source may send and the target may receive, and fails otherwise', async () => {
    expect(
      await check(
        'VR007',
        {},
        { source: { permissions: ['handoff:send'] }, target: { permissions: ['handoff:receive'] } },
      ),
    ).toMatchObject({ passed: true });
    const noReceive = await check(
      'VR007',
      {},
      { source: { permissions: ['handoff:send'] }, target: { permissions: ['read'] } },
    );
    expect(noReceive).toMatchObject({
      passed: false,
      message: expect.stringContaining('target.permissions = ["read"]'),
    });
    expect(
      await check('VR007', {}, { source: { permissions: [] }, target: { permissions: ['handoff:receive'] } }),
    ).toMatchObject({ passed: false });
  });

  it('VR008 passes when the declared digest matches the payload (or none is declared) and fails when it does not', async () => {
    const payload = { b: [1, 2], a: { z: true, y: 'x' } };
    const digest = payloadDigest({ a: { y: 'x', z: true }, b: [1, 2] }); // key order does not matter
    expect(await check('VR008', { context: { payload, payloadDigest: digest } })).toMatchObject({ passed: true });
    expect(await check('VR008', { context: { payload, payloadDigest: digest.toUpperCase() } })).toMatchObject({
      passed: true,
    });
    expect(await check('VR008', { context: { payload } })).toMatchObject({ passed: true });
    const tampered = await check('VR008', { context: { payload: { ...payload, b: [1, 3] }, payloadDigest: digest } });
    expect(tampered).toMatchObject({
      passed: false,
      message: expect.stringContaining('derived.payloadDigestMatches = false'),
    });
    expect(await check('VR008', { context: { payloadDigest: digest } })).toMatchObject({ passed: false }); // digest but no payload
  });
});

describe('conditions', () => {
  const sample = sampleSubject();

  it('accepts query documents of known operators', () => {
    expect(
      checkCondition(
        { 'context.n': { $gte: 2, $lt: 10 }, $or: [{ 'target.status': 'READY' }, { 'target.status': 'BUSY' }] },
        sample,
        ['input', 'condition'],
      ),
    ).toEqual([]);
  });

  it.each([
    ['an unknown operator', { a: { $bogus: 1 } }],
    ['an unknown top-level operator', { $bogus: 1 }],
    ['a bad shape', { $and: 5 }],
    ['a bad operand found only when run', { a: { $in: 5 } }],
    ['code', { $where: 'true' }],
    ['an array', [{ a: 1 }]],
    ['a string', 'context.a'],
    ['null', null],
  ])('refuses %s', (_what, condition) => {
    expect(checkCondition(condition, sample, ['input', 'condition'])).toEqual([
      { code: 'INVALID_CONDITION', field: ['input', 'condition'], message: expect.any(String) },
    ]);
  });

  it('names the paths it reads, also in logical branches and $expr', () => {
    const condition = { a: 1, $or: [{ 'b.c': 2 }, { $and: [{ d: 3 }] }], $expr: { $eq: ['$e', '$$ROOT.f'] } };
    expect([...referencedPaths(condition)].sort()).toEqual(['a', 'b.c', 'd', 'e']);
    expect(compileCondition({ 'x.list.1': 2, y: 1 }).found({ x: { list: [1, 2] } })).toBe(
      'x.list.1 = 2, y = (missing)',
    );
  });

  it('hashes canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }], u: undefined })).toBe('{"a":[{"c":"x","d":null}],"b":1}');
    expect(payloadDigest('x')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('outcome', () => {
  const r = (status: 'PASSED' | 'FAILED' | 'ERROR' | 'SKIPPED', severity: ValidationRule['severity']) => ({
    status,
    severity,
  });

  it('fails on a blocking failure or error, warns on lower ones, passes otherwise', () => {
    expect(decideOutcome([r('PASSED', 'CRITICAL'), r('SKIPPED', 'CRITICAL')], ['CRITICAL'])).toBe('PASSED');
    expect(decideOutcome([], ['CRITICAL'])).toBe('PASSED');
    expect(decideOutcome([r('FAILED', 'CRITICAL')], ['CRITICAL'])).toBe('FAILED');
    expect(decideOutcome([r('ERROR', 'CRITICAL')], ['CRITICAL'])).toBe('FAILED');
    expect(decideOutcome([r('FAILED', 'HIGH'), r('ERROR', 'LOW')], ['CRITICAL'])).toBe('PASSED_WITH_WARNINGS');
    expect(decideOutcome([r('FAILED', 'HIGH')], ['CRITICAL', 'HIGH'])).toBe('FAILED');
  });
});
