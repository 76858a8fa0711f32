import { type GraphQLInputType, type GraphQLObjectType, getNamedType, isInputObjectType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/resolvers/index.js';
import { createProcedure, initiate, quickStep } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Names of arguments and input fields that name an entity (step ids are names within a procedure, not entities). */
const NAMES_AN_ENTITY =
  /^(id|ids|\w+Id|\w+Ids|agent|sourceAgent|targetAgent|requiredAgents|dependencies|validationRules|validateRules)$/;
const STEP_IDS = new Set([
  'ProcedureStepInput.id',
  'RollbackStepInput.id',
  'Query.stepSeries(stepId)',
  'ApplyProcedureAdviceInput.stepIds',
]);

/** Every argument and input field of the served schema, with its type. */
function inputsOfSchema(): { at: string; type: GraphQLInputType }[] {
  const inputs: { at: string; type: GraphQLInputType }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isInputObjectType(type))
      for (const field of Object.values(type.getFields()))
        inputs.push({ at: `${type.name}.${field.name}`, type: field.type });
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        for (const arg of field.args) inputs.push({ at: `${type.name}.${field.name}(${arg.name})`, type: arg.type });
    }
  }
  return inputs;
}

describe('one API vocabulary', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('every argument and input field that names an entity is an ID', () => {
    const named = inputsOfSchema().filter(
      ({ at }) => NAMES_AN_ENTITY.test(at.replace(/^.*[.(]|\)$/g, '')) && !STEP_IDS.has(at),
    );
    expect(named.length).toBeGreaterThan(40);
    expect(
      named.filter(({ type }) => getNamedType(type).name !== 'ID').map(({ at, type }) => `${at}: ${String(type)}`),
    ).toEqual([]);
  });

  it('lists are <Item>Connection/<Item>Edge and page forward only: last and before are not offered', async () => {
    const connections = Object.values(schema.getTypeMap()).filter((type) => type.name.endsWith('Connection'));
    for (const connection of connections) {
      if (!isObjectType(connection)) throw new Error(`${connection.name} is not an object type`);
      const edge = getNamedType(connection.getFields().edges.type) as GraphQLObjectType;
      const item = getNamedType(edge.getFields().node.type).name;
      expect([connection.name, edge.name]).toEqual([`${item}Connection`, `${item}Edge`]);
    }
    expect(connections.map((c) => c.name).sort()).toEqual([
      'AgentConnection',
      'AgentTaskConnection',
      'BulkOperationConnection',
      'ContextDeliveryConnection',
      'HandoffConnection',
      'ProcedureConnection',
      'ReliabilityTestConnection',
      'ValidationRuleConnection',
      'ValidationSessionConnection',
      'WebhookDeliveryConnection',
    ]);
    expect(inputsOfSchema().filter(({ at }) => /\((last|before)\)$/.test(at))).toEqual([]);

    const refused = await server.gql('{ handoffs(last: 1) { totalCount } }');
    expect(refused.errors?.[0].message).toMatch(/Unknown argument "last"/);
    const page = await server.gql('{ handoffs(first: 1) { totalCount pageInfo { hasNextPage } } }');
    expect(page.errors).toBeUndefined();
  });

  it('UserError.code is the closed UserErrorCode enum', async () => {
    const userError = schema.getType('UserError');
    if (!isObjectType(userError)) throw new Error('no UserError');
    expect(String(userError.getFields().code.type)).toBe('UserErrorCode!');
    const bad = await server.gql(
      'mutation { createValidationRule(input: { id: "bad id!", name: "x", severity: LOW, condition: {} }) { userErrors { code field } } }',
    );
    expect(bad.data.createValidationRule.userErrors).toEqual([{ code: 'INVALID_VALUE', field: ['input', 'id'] }]);
  });

  it('accepts the global id wherever it accepts a plain one', async () => {
    const register =
      'mutation($id: ID!) { registerAgent(input: { id: $id }) { agent { id agentId } userErrors { code } } }';
    const source = (await server.gql(register, { id: 'vocab_source' })).data.registerAgent.agent;
    const target = (await server.gql(register, { id: 'vocab_target' })).data.registerAgent.agent;
    expect(source.id).not.toBe('vocab_source');

    const beat = await server.gql(
      'mutation($id: ID!) { agentHeartbeat(input: { id: $id, status: BUSY }) { agent { agentId reportedStatus } } }',
      {
        id: source.id,
      },
    );
    expect(beat.data.agentHeartbeat.agent).toEqual({ agentId: 'vocab_source', reportedStatus: 'BUSY' });

    const created = await createProcedure(server, {
      id: 'VOCAB_WORK',
      name: 'Vocabulary',
      steps: [quickStep('only', 'NOOP', {})],
      requiredAgents: [target.id],
    });
    expect(created.userErrors).toEqual([]);
    const procedure = await server.gql('{ procedure(id: "VOCAB_WORK") { requiredAgents } }');
    expect(procedure.data.procedure.requiredAgents).toEqual(['vocab_target']);

    const started = await initiate(server, {
      handoffId: 'vocab_1',
      procedureId: created.procedure.id,
      sourceAgent: source.id,
      targetAgent: target.id,
    });
    expect(started.userErrors).toEqual([]);
    const handoff = await server.gql('{ handoff(id: "vocab_1") { sourceAgent targetAgent } }');
    expect(handoff.data.handoff).toEqual({ sourceAgent: 'vocab_source', targetAgent: 'vocab_target' });

    const byAgent = await server.gql(
      'query($agent: ID!) { handoffs(filter: { agent: $agent }) { edges { node { handoffId } } } }',
      { agent: target.id },
    );
    expect(byAgent.data.handoffs.edges).toEqual([{ node: { handoffId: 'vocab_1' } }]);
  });
});
