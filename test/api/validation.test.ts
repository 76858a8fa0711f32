import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../support/server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  CREATE_RULE,
  goodContext,
  PROGRESS,
  registerPair,
  resultOf,
  runSession,
  SESSION,
  START,
} from '../support/validation-api.js';

describe('validation over GraphQL', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
    await registerPair(server);
  });
  afterAll(() => server.close());

  it('lists the eight seed rules with their names and severities, and procedures name their gates', async () => {
    const response =
      await server.gql(`{ validationRules(first: 100) { edges { node { id name description severity enabled condition } } }
      procedure(id: "PHASE_TRANSITION_STANDARD") { validationRules { id severity } } }`);
    expect(response.errors).toBeUndefined();
    const rules = response.data.validationRules.edges
      .map((edge: any) => edge.node)
      .filter((r: any) => /^VR00\d$/.test(r.id));
    expect(rules.map((r: any) => [r.id, r.name, r.severity])).toEqual([
      ['VR001', 'Phase Completion Check', 'CRITICAL'],
      ['VR002', 'Resource Availability Check', 'CRITICAL'],
      ['VR003', 'State Consistency Check', 'HIGH'],
      ['VR004', 'Agent Readiness Validation', 'CRITICAL'],
      ['VR005', 'Context Transfer Validation', 'CRITICAL'],
      ['VR006', 'Connection Stability Check', 'HIGH'],
      ['VR007', 'Permission Validation', 'MEDIUM'],
      ['VR008', 'Data Integrity Check', 'HIGH'],
    ]);
    for (const rule of rules) {
      expect(rule.enabled).toBe(true);
      expect(rule.description.length).toBeGreaterThan(20);
    }
    expect(response.data.procedure.validationRules).toEqual([
      { id: 'VR001', severity: 'CRITICAL' },
      { id: 'VR002', severity: 'CRITICAL' },
      { id: 'VR003', severity: 'HIGH' },
    ]);
  });

  it('passes PHASE_TRANSITION_STANDARD when the context satisfies VR001–VR003', async () => {
    const session = await runSession(server, {
      handoffId: 'my_handoff_001',
      procedureId: 'PHASE_TRANSITION_STANDARD',
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
      context: goodContext(),
    });
    expect(session.outcome).toBe('PASSED');
    expect(session.results.map((r: any) => r.ruleId).sort()).toEqual(['VR001', 'VR002', 'VR003']);
    for (const result of session.results) {
      expect(result.status).toBe('PASSED');
      expect(result.rule.id).toBe(result.ruleId);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(session.durationMs).toBeGreaterThanOrEqual(0);
    expect(session.finishedAt).not.toBeNull();
  });

  it('fails when a resource is unavailable, naming VR002 and what it found', async () => {
    const session = await runSession(server, {
      procedureId: 'PHASE_TRANSITION_STANDARD',
      context: goodContext({
        resources: [
          { name: 'database', available: true },
          { name: 'gpu', available: false },
        ],
      }),
    });
    expect(session.outcome).toBe('FAILED');
    const vr002 = resultOf(session, 'VR002');
    expect(vr002).toMatchObject({ status: 'FAILED', rule: { id: 'VR002', severity: 'CRITICAL' } });
    // A sentence: the rule, its description, the field and what was found there.
    expect(vr002.message).toBe(
      'Resource Availability Check failed. Every resource the handoff lists is available: no entry of the list ' +
        'context.resources (e.g. [{ "name": "db", "available": true }]) may have available other than true. A handoff ' +
        'that lists no resources passes. Found context.resources = ' +
        '[{"name":"database","available":true},{"name":"gpu","available":false}].',
    );
    // For tools, the raw condition and the values it read, as message said before.
    expect(vr002.detail).toBe(
      'Expected {"context.resources":{"$not":{"$elemMatch":{"available":{"$ne":true}}}}}; found context.resources = ' +
        '[{"name":"database","available":true},{"name":"gpu","available":false}]',
    );
    expect(resultOf(session, 'VR001')).toMatchObject({
      status: 'PASSED',
      message: 'Phase Completion Check passed: found context.phaseComplete = true.',
      detail: 'Expected {"context.phaseComplete":true}; found context.phaseComplete = true',
    });
  });

  it('passes with warnings when only the HIGH rule VR003 fails', async () => {
    const session = await runSession(server, {
      procedureId: 'PHASE_TRANSITION_STANDARD',
      context: goodContext({ targetStateChecksum: 'sha256:stale' }),
    });
    expect(session.outcome).toBe('PASSED_WITH_WARNINGS');
    const vr003 = resultOf(session, 'VR003');
    expect(vr003.status).toBe('FAILED');
    expect(vr003.message).toContain('context.targetStateChecksum = "sha256:stale"');
    expect(resultOf(session, 'VR001').status).toBe('PASSED');
    expect(resultOf(session, 'VR002').status).toBe('PASSED');
  });

  it('blocks on HIGH failures when the session says HIGH blocks', async () => {
    const session = await runSession(server, {
      procedureId: 'PHASE_TRANSITION_STANDARD',
      blockingSeverities: ['CRITICAL', 'HIGH'],
      context: goodContext({ targetStateChecksum: 'sha256:stale' }),
    });
    expect(session.outcome).toBe('FAILED');
  });

  it('checks agents from the registry: readiness, heartbeat, permissions', async () => {
    const good = await runSession(server, {
      ruleIds: ['VR004', 'VR006', 'VR007'],
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
    });
    expect(good.outcome).toBe('PASSED');

    // Swapped roles: agent_1 may not receive, agent_2 may not send.
    const swapped = await runSession(server, { ruleIds: ['VR007'], sourceAgent: 'agent_2', targetAgent: 'agent_1' });
    expect(swapped.outcome).toBe('PASSED_WITH_WARNINGS');
    expect(resultOf(swapped, 'VR007').status).toBe('FAILED');

    const unknown = await runSession(server, { ruleIds: ['VR004'], sourceAgent: 'agent_1', targetAgent: 'nobody' });
    expect(unknown.outcome).toBe('FAILED');
    expect(resultOf(unknown, 'VR004').message).toContain('target.registered = false');
  });

  it('runs a custom rule created through the API in the next session', async () => {
    const created = await server.gql(CREATE_RULE, {
      input: {
        id: 'VR100',
        name: 'Ticket Reference Check',
        description: 'The handoff names the ticket it belongs to.',
        severity: 'CRITICAL',
        condition: { 'context.ticket': { $regex: '^TICKET-\\d+$' } },
      },
    });
    expect(created.data.createValidationRule).toMatchObject({
      rule: { id: 'VR100', severity: 'CRITICAL', enabled: true },
      userErrors: [],
    });

    const listed = await runSession(server, { ruleIds: ['VR001', 'VR100'], context: goodContext() });
    expect(listed.outcome).toBe('FAILED');
    expect(resultOf(listed, 'VR100')).toMatchObject({ status: 'FAILED', rule: { id: 'VR100', severity: 'CRITICAL' } });
    expect(resultOf(listed, 'VR100').message).toContain('Found no context.ticket.');
    expect(resultOf(listed, 'VR100').detail).toContain('context.ticket = (missing)');

    // Without a procedure or a rule list, every enabled rule runs: the new one included.
    const all = await runSession(server, {
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
      context: goodContext({ ticket: 'TICKET-42' }),
    });
    expect(all.ruleIds).toContain('VR100');
    expect(resultOf(all, 'VR100').status).toBe('PASSED');
    expect(all.outcome).toBe('PASSED');

    const duplicate = await server.gql(CREATE_RULE, {
      input: { id: 'VR100', name: 'Again', severity: 'LOW', condition: {} },
    });
    expect(duplicate.data.createValidationRule).toMatchObject({
      rule: null,
      userErrors: [{ code: 'DUPLICATE_KEY', field: ['input', 'id'] }],
    });
  });

  it('refuses invalid conditions with userErrors at input.condition', async () => {
    for (const condition of [
      { 'context.a': { $bogus: 1 } },
      { $where: 'this.a == 1' },
      { $and: 5 },
      { a: { $in: 5 } },
      [1, 2],
      'x',
    ]) {
      const response = await server.gql(CREATE_RULE, {
        input: { id: 'VR_BAD', name: 'Bad', severity: 'LOW', condition },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data.createValidationRule.rule).toBeNull();
      expect(response.data.createValidationRule.userErrors).toEqual([
        { field: ['input', 'condition'], code: 'INVALID_CONDITION', message: expect.any(String) },
      ]);
    }
    const rules = await server.gql(`{ validationRule(id: "VR_BAD") { id } }`);
    expect(rules.data.validationRule).toBeNull();
  });

  it('updates, disables and enables rules; a disabled rule is SKIPPED', async () => {
    await server.gql(CREATE_RULE, {
      input: {
        id: 'VR200',
        name: 'Priority set',
        severity: 'LOW',
        condition: { 'context.priority': { $exists: true } },
      },
    });
    const updated = await server.gql(
      `mutation ($condition: JSON) { updateValidationRule(input: { id: "VR200", severity: CRITICAL, condition: $condition }) { rule { id } userErrors { field code } } }`,
      { condition: { bad: { $nope: 1 } } },
    );
    expect(updated.data.updateValidationRule).toEqual({
      rule: null,
      userErrors: [{ field: ['input', 'condition'], code: 'INVALID_CONDITION' }],
    });

    const disabled = await server.gql(
      `mutation { disableValidationRule(input: { id: "VR200" }) { rule { id enabled } userErrors { code } } }`,
    );
    expect(disabled.data.disableValidationRule).toEqual({ rule: { id: 'VR200', enabled: false }, userErrors: [] });
    const skipped = await runSession(server, { ruleIds: ['VR200'], context: {} });
    expect(resultOf(skipped, 'VR200').status).toBe('SKIPPED');
    expect(skipped.outcome).toBe('PASSED');

    await server.gql(`mutation { enableValidationRule(input: { id: "VR200" }) { rule { id } } }`);
    const raised = await server.gql(
      `mutation { updateValidationRule(input: { id: "VR200", severity: CRITICAL }) { rule { severity version } userErrors { code } } }`,
    );
    expect(raised.data.updateValidationRule).toEqual({ rule: { severity: 'CRITICAL', version: 4 }, userErrors: [] });
    const failing = await runSession(server, { ruleIds: ['VR200'], context: {} });
    expect(failing.outcome).toBe('FAILED');

    const missing = await server.gql(
      `mutation { disableValidationRule(input: { id: "NOPE" }) { rule { id } userErrors { code field } } }`,
    );
    expect(missing.data.disableValidationRule.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
  });

  it('refuses unknown procedures, rule ids and non-object contexts with userErrors', async () => {
    const response = await server.gql(START, { input: { procedureId: 'NOPE', ruleIds: ['VR001', 'VR999'] } });
    expect(response.data.startValidationSession.session).toBeNull();
    expect(response.data.startValidationSession.userErrors).toEqual([
      { field: ['input', 'procedureId'], code: 'NOT_FOUND', message: expect.stringContaining('NOPE') },
      { field: ['input', 'ruleIds', '1'], code: 'NOT_FOUND', message: expect.stringContaining('VR999') },
    ]);
    const hugeContext = await server.gql(START, { input: { context: { blob: 'x'.repeat(70_000) } } });
    expect(hugeContext.data.startValidationSession.userErrors).toEqual([
      { field: ['input', 'context'], code: 'TOO_LARGE', message: expect.stringContaining('65536 bytes') },
    ]);
    const badContext = await server.gql(START, { input: { context: [1, 2] } });
    expect(badContext.data.startValidationSession.userErrors).toEqual([
      { field: ['input', 'context'], code: 'INVALID_VALUE', message: expect.any(String) },
    ]);
  });

  it('fetches sessions by plain id, global id, node(id:) and in a filtered connection', async () => {
    const session = await runSession(server, { handoffId: 'list_me', ruleIds: ['VR001'], context: goodContext() });
    const byPlain = await server.gql(SESSION, { id: session.sessionId });
    expect(byPlain.data.validationSession.id).toBe(session.id);
    const node = await server.gql(`query ($id: ID!) { node(id: $id) { id ... on ValidationSession { outcome } } }`, {
      id: session.id,
    });
    expect(node.data.node).toEqual({ id: session.id, outcome: 'PASSED' });

    const list = await server.gql(`{ validationSessions(first: 5, filter: { handoffId: "list_me" }) {
      totalCount edges { cursor node { id } } pageInfo { hasNextPage } } }`);
    expect(list.data.validationSessions).toMatchObject({
      totalCount: 1,
      edges: [{ node: { id: session.id } }],
      pageInfo: { hasNextPage: false },
    });

    const page1 = await server.gql(
      `{ validationSessions(first: 2) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
    );
    const { totalCount, pageInfo } = page1.data.validationSessions;
    expect(totalCount).toBeGreaterThan(2);
    expect(pageInfo.hasNextPage).toBe(true);
    const page2 = await server.gql(
      `query ($after: String) { validationSessions(first: 2, after: $after) { edges { node { id } } } }`,
      {
        after: pageInfo.endCursor,
      },
    );
    const firstIds = page1.data.validationSessions.edges.map((e: any) => e.node.id);
    for (const edge of page2.data.validationSessions.edges) expect(firstIds).not.toContain(edge.node.id);
  });

  it('streams every rule result and then the outcome over graphql-ws, and completes', async () => {
    const client = server.wsClient();
    const started = await server.gql(START, {
      input: { procedureId: 'PHASE_TRANSITION_STANDARD', context: goodContext({ resources: [{ name: 'x' }] }) },
    });
    const id = started.data.startValidationSession.session.id;
    const events = await collect(client, PROGRESS, { id });
    expect(events.every((e) => e.errors === undefined)).toBe(true);
    const payloads = events.map((e) => e.data.validationProgress);
    expect(payloads).toHaveLength(4);
    const results = payloads.slice(0, 3);
    expect(results.map((e: any) => e.ruleId).sort()).toEqual(['VR001', 'VR002', 'VR003']);
    expect(results.map((e: any) => e.seq).sort()).toEqual([1, 2, 3]);
    expect(results.find((e: any) => e.ruleId === 'VR002')).toMatchObject({ status: 'FAILED', outcome: null });
    expect(payloads[3]).toMatchObject({ ruleId: null, status: null, outcome: 'FAILED', seq: 4 });
    for (const event of payloads) expect(event.sessionId).toBe(started.data.startValidationSession.session.sessionId);

    // A second subscriber after completion gets the same replay.
    const again = await collect(client, PROGRESS, { id });
    expect(again.map((e) => e.data.validationProgress)).toEqual(payloads);
  });

  it('reports an unknown session on the subscription as an error', async () => {
    const client = server.wsClient();
    const events = await collect(client, PROGRESS, { id: 'no-such-session' });
    expect(events).toHaveLength(1);
    expect(events[0].errors).toEqual([
      expect.objectContaining({
        message: 'No validation session "no-such-session"',
        extensions: { code: 'NOT_FOUND' },
      }),
    ]);
  });
});

describe('stale heartbeats', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp({ AGENT_HEARTBEAT_WINDOW_MS: '150' });
    await registerPair(server);
  });
  afterAll(() => server.close());

  it('fails VR006 once the target has not sent a heartbeat within the window', async () => {
    const fresh = await runSession(server, { ruleIds: ['VR006'], sourceAgent: 'agent_1', targetAgent: 'agent_2' });
    expect(resultOf(fresh, 'VR006').status).toBe('PASSED');

    // Wait (through the public API) until the target reads OFFLINE; no timed assertion.
    for (;;) {
      const agent = await server.gql(`{ agent(id: "agent_2") { status } }`);
      if (agent.data.agent.status === 'OFFLINE') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const stale = await runSession(server, {
      ruleIds: ['VR004', 'VR006'],
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
    });
    expect(resultOf(stale, 'VR006')).toMatchObject({ status: 'FAILED', rule: { severity: 'HIGH' } });
    expect(resultOf(stale, 'VR006').message).toContain('target.heartbeatFresh = false');
    expect(resultOf(stale, 'VR004').status).toBe('FAILED');
    expect(stale.outcome).toBe('FAILED');

    const blockingHigh = await runSession(server, {
      ruleIds: ['VR006'],
      targetAgent: 'agent_2',
      blockingSeverities: ['HIGH'],
    });
    expect(blockingHigh.outcome).toBe('FAILED');
    const warnOnly = await runSession(server, { ruleIds: ['VR006'], targetAgent: 'agent_2' });
    expect(warnOnly.outcome).toBe('PASSED_WITH_WARNINGS');
  });
});
