import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { CREATE_RULE, registerPair, runSession, SESSION, START } from '../support/validation-api.js';

const DELETE = `mutation ($id: ID!) { deleteValidationRule(input: { id: $id }) {
  rule { id name severity } referencedBy { procedureId procedureName gate afterSteps validateSteps } userErrors { field message code } } }`;
const PROCEDURE = `mutation ($input: CreateProcedureInput!) { createProcedure(input: $input) { procedure { procedureId } userErrors { field code message } } }`;
const UPDATE_PROCEDURE = `mutation ($input: UpdateProcedureInput!) { updateProcedure(input: $input) { procedure { version } userErrors { field code message } } }`;
const RULE_IDS = '{ validationRules(first: 100) { edges { node { id } } } }';

async function deleteRule(server: TestApp, id: string, headers?: Record<string, string>) {
  const response = await server.gql(DELETE, { id }, headers);
  expect(response.errors).toBeUndefined();
  return response.data.deleteValidationRule;
}

async function createRule(server: TestApp, input: Record<string, unknown>) {
  const response = await server.gql(CREATE_RULE, { input });
  expect(response.data.createValidationRule.userErrors).toEqual([]);
}

async function ruleIds(server: TestApp): Promise<string[]> {
  return (await server.gql(RULE_IDS)).data.validationRules.edges.map((edge: { node: { id: string } }) => edge.node.id);
}

describe('deleting validation rules', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('deletes a rule no procedure names; sessions that ran it still name it', async () => {
    await createRule(server, {
      id: 'VR_TEMP',
      name: 'Temporary Check',
      severity: 'MEDIUM',
      condition: { 'context.ok': true },
    });
    const before = await runSession(server, { ruleIds: ['VR_TEMP'], context: { ok: false } });

    expect(await deleteRule(server, 'VR_TEMP')).toEqual({
      rule: { id: 'VR_TEMP', name: 'Temporary Check', severity: 'MEDIUM' },
      referencedBy: [],
      userErrors: [],
    });
    expect(await ruleIds(server)).not.toContain('VR_TEMP');
    expect((await server.gql(`{ validationRule(id: "VR_TEMP") { id } }`)).data.validationRule).toBeNull();

    const read = (await server.gql(SESSION, { id: before.id })).data.validationSession;
    expect(read.results).toEqual([
      expect.objectContaining({
        rule: null,
        ruleId: 'VR_TEMP',
        ruleName: 'Temporary Check',
        severity: 'MEDIUM',
        status: 'FAILED',
      }),
    ]);
    expect(read.ruleIds).toEqual(['VR_TEMP']);

    const again = await server.gql(START, { input: { ruleIds: ['VR_TEMP'] } });
    expect(again.data.startValidationSession.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'ruleIds', '0'] }),
    ]);
    expect(await deleteRule(server, 'VR_TEMP')).toMatchObject({
      rule: null,
      userErrors: [{ code: 'NOT_FOUND', field: ['input', 'id'] }],
    });
    const metrics = await server.gql(`{ metrics { validation { byRule { ruleId } } } }`);
    expect(metrics.data.metrics.validation.byRule.map((r: { ruleId: string }) => r.ruleId)).not.toContain('VR_TEMP');
  });

  it('refuses to delete a rule that procedures name, listing them and where', async () => {
    const refused = await deleteRule(server, 'VR008');
    expect(refused.rule).toBeNull();
    expect(refused.referencedBy).toEqual([
      {
        procedureId: 'AGENT_HANDOFF_STANDARD',
        procedureName: 'Standard Agent Handoff',
        gate: false,
        afterSteps: [],
        validateSteps: ['handoff_confirmation'],
      },
      {
        procedureId: 'PHASE_TRANSITION_STANDARD',
        procedureName: 'Standard Phase Transition',
        gate: false,
        afterSteps: [],
        validateSteps: ['handoff_validation'],
      },
    ]);
    expect(refused.userErrors).toEqual([
      { code: 'RULE_IN_USE', field: ['input', 'id'], message: expect.stringContaining('AGENT_HANDOFF_STANDARD') },
    ]);
    expect(refused.userErrors[0].message).toContain('PHASE_TRANSITION_STANDARD (validate step handoff_validation)');

    const gate = await deleteRule(server, 'VR002');
    expect(gate.referencedBy).toEqual([
      expect.objectContaining({
        procedureId: 'PHASE_TRANSITION_STANDARD',
        gate: true,
        afterSteps: ['resource_handoff'],
        validateSteps: [],
      }),
    ]);
    expect(await ruleIds(server)).toEqual(expect.arrayContaining(['VR002', 'VR008']));
  });

  it('deletes a rule once the procedures that named it no longer do', async () => {
    await createRule(server, { id: 'VR_USED', name: 'Used', severity: 'LOW', condition: {} });
    const steps = (rules: string[]) => [
      {
        id: 'work',
        name: 'Work',
        kind: 'NOOP',
        timeoutMs: 1000,
        validateRules: rules,
        compensation: {
          id: 'check_undo',
          name: 'Check the undo',
          kind: 'VALIDATE',
          params: { rules: rules.length ? rules : ['VR001'] },
          timeoutMs: 1000,
        },
      },
    ];
    const created = await server.gql(PROCEDURE, {
      input: { id: 'USES_RULE', name: 'Uses a rule', steps: steps(['VR_USED']) },
    });
    expect(created.data.createProcedure.userErrors).toEqual([]);

    const refused = await deleteRule(server, 'VR_USED');
    expect(refused.referencedBy).toEqual([
      {
        procedureId: 'USES_RULE',
        procedureName: 'Uses a rule',
        gate: false,
        afterSteps: ['work'],
        validateSteps: ['check_undo'],
      },
    ]);

    const updated = await server.gql(UPDATE_PROCEDURE, {
      input: { id: 'USES_RULE', name: 'Uses a rule', steps: steps([]) },
    });
    expect(updated.data.updateProcedure.userErrors).toEqual([]);
    expect(await deleteRule(server, 'VR_USED')).toMatchObject({
      rule: { id: 'VR_USED' },
      referencedBy: [],
      userErrors: [],
    });

    // Gone for new definitions too.
    const naming = await server.gql(PROCEDURE, {
      input: { id: 'NAMES_GONE_RULE', name: 'x', validationRules: ['VR_USED'], steps: steps([]) },
    });
    expect(naming.data.createProcedure.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'validationRules'] }),
    ]);
  });
});

describe('deleting validation rules with API keys', () => {
  const OPERATOR = 'operator-key-0123456789abcdef';
  const ADMIN = 'admin-key-0123456789abcdef';
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ API_KEYS: `runner:operator:${OPERATOR},owner:admin:${ADMIN}` });
  });
  afterAll(() => server.close());

  it('is for admins', async () => {
    const input = { id: 'VR_ADMIN', name: 'Admin only', severity: 'LOW', condition: {} };
    expect((await server.gql(CREATE_RULE, { input }, bearer(ADMIN))).data.createValidationRule.userErrors).toEqual([]);
    const forbidden = await server.gql(DELETE, { id: 'VR_ADMIN' }, bearer(OPERATOR));
    expect(forbidden.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect((await deleteRule(server, 'VR_ADMIN', bearer(ADMIN))).userErrors).toEqual([]);
  });
});

describe('deleting a seed rule', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-rule-deletion-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** AGENT_HANDOFF_STANDARD as seeded, minus VR006 (its only use) and the context transfer steps. */
  const AGENT_HANDOFF_WITHOUT_VR006 = {
    id: 'AGENT_HANDOFF_STANDARD',
    name: 'Standard Agent Handoff',
    validationRules: ['VR004', 'VR005'],
    requiredContextKeys: ['task'],
    steps: [
      {
        id: 'agent_readiness_check',
        name: 'Agent Readiness Check',
        kind: 'VALIDATE',
        params: { rules: ['VR004'] },
        timeoutMs: 20_000,
      },
      {
        id: 'handoff_confirmation',
        name: 'Handoff Confirmation',
        kind: 'VALIDATE',
        params: { rules: ['VR005', 'VR007', 'VR008'] },
        timeoutMs: 20_000,
      },
    ],
  };

  it('stays deleted after a restart, and its old sessions still name it', async () => {
    let server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    let sessionId: string;
    try {
      await registerPair(server);
      sessionId = (await runSession(server, { ruleIds: ['VR006'], sourceAgent: 'agent_1', targetAgent: 'agent_2' })).id;
      expect((await deleteRule(server, 'VR006')).referencedBy).toEqual([
        expect.objectContaining({ procedureId: 'AGENT_HANDOFF_STANDARD', validateSteps: ['agent_readiness_check'] }),
      ]);
      expect(
        (await server.gql(UPDATE_PROCEDURE, { input: AGENT_HANDOFF_WITHOUT_VR006 })).data.updateProcedure.userErrors,
      ).toEqual([]);
      expect(await deleteRule(server, 'VR006')).toMatchObject({
        rule: { id: 'VR006', name: 'Connection Stability Check' },
        userErrors: [],
      });
    } finally {
      await server.close();
    }

    server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    try {
      expect(await ruleIds(server)).toEqual(['VR001', 'VR002', 'VR003', 'VR004', 'VR005', 'VR007', 'VR008']);
      const session = (await server.gql(SESSION, { id: sessionId })).data.validationSession;
      expect(session.results).toEqual([
        expect.objectContaining({
          rule: null,
          ruleId: 'VR006',
          ruleName: 'Connection Stability Check',
          severity: 'HIGH',
          status: 'PASSED',
        }),
      ]);
      const metrics = (
        await server.gql(`{ metrics { validation { byRule { ruleId } bySeverity { severity evaluated passed } } } }`)
      ).data.metrics.validation;
      expect(metrics.byRule.map((r: { ruleId: string }) => r.ruleId)).not.toContain('VR006');
      // What it did still counts for its severity.
      expect(metrics.bySeverity.find((s: { severity: string }) => s.severity === 'HIGH')).toEqual({
        severity: 'HIGH',
        evaluated: 1,
        passed: 1,
      });
    } finally {
      await server.close();
    }
  });
});
