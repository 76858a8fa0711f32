import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, getHandoff, initiate, PROGRESS, registerReadyAgents } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Names a client chooses (step ids, agent and rule ids, context keys) are data: the names of
 * Object.prototype's members are no different from any other, and survive a restart.
 */

const INHERITED = ['toString', 'constructor', 'valueOf', 'hasOwnProperty'];

describe('user-chosen keys', () => {
  let dataDir: string;
  let server: TestApp;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-keys-'));
    server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a step named like an Object method waits for its own signal', async () => {
    const created = await createProcedure(server, {
      id: 'INHERITED_NAMES',
      name: 'Steps named like Object methods',
      steps: INHERITED.map((id) => ({ id, name: id, kind: 'AWAIT_SIGNAL', timeoutMs: 60_000 })),
    });
    expect(created.userErrors).toEqual([]);
    await initiate(server, { handoffId: 'inherited_1', procedureId: 'INHERITED_NAMES' });
    const answers: unknown[] = [];
    const events = await new Promise<any[]>((resolve, reject) => {
      const seen: any[] = [];
      server.wsClient().subscribe(
        { query: PROGRESS, variables: { id: 'inherited_1', after: 0 } },
        {
          next: (result: any) => {
            const event = result.data.handoffProgress;
            seen.push(event);
            // Each step is signalled only once it waits: one that approved itself would be past waiting by then.
            if (event.type === 'STEP_WAITING') {
              void server
                .gql(
                  'mutation($step: String!, $by: String!) { signalHandoff(input: { id: "inherited_1", step: $step, payload: { by: $by } }) { userErrors { code message } } }',
                  { step: event.step, by: event.step },
                )
                .then((reply) => answers.push(reply.data.signalHandoff.userErrors));
            }
          },
          error: reject,
          complete: () => resolve(seen),
        },
      );
    });
    expect(events.at(-1).type).toBe('HANDOFF_COMPLETED');
    expect(answers).toEqual(INHERITED.map(() => []));
    const handoff = await getHandoff(server, 'inherited_1');
    // each step got its own signal's payload (approved, by the open server's anonymous caller)
    expect(handoff.steps.map((step: any) => [step.id, step.output])).toEqual(
      INHERITED.map((id) => [
        id,
        { signal: { by: id }, outcome: 'APPROVE', signalledBy: { keyName: 'anonymous', agentId: null } },
      ]),
    );
  });

  it('agent and rule ids such as __proto__ are stored as data, read back and listed, and survive a restart', async () => {
    const ids = ['__proto__', 'constructor', 'toString'];
    for (const id of ids) {
      const agent = await server.gql(
        'mutation($id: ID!) { registerAgent(input: { id: $id, capabilities: ["x"] }) { agent { agentId } userErrors { code } } }',
        { id },
      );
      expect(agent.data.registerAgent).toEqual({ agent: { agentId: id }, userErrors: [] });
      const rule = await server.gql(
        'mutation($input: CreateValidationRuleInput!) { createValidationRule(input: $input) { rule { id } userErrors { code } } }',
        {
          input: { id, name: id, severity: 'LOW', condition: { 'context.ok': true } },
        },
      );
      expect(rule.data.createValidationRule).toEqual({ rule: { id }, userErrors: [] });
    }
    const read = async (target: TestApp) => {
      const found = await Promise.all(
        ids.map(
          async (id) =>
            (
              await target.gql(
                'query($id: ID!, $rule: ID!) { agent(id: $id) { agentId capabilities } validationRule(id: $rule) { id name } }',
                { id, rule: id },
              )
            ).data,
        ),
      );
      const rules = (
        await target.gql('{ validationRules(first: 100) { edges { node { id } } } }')
      ).data.validationRules.edges.map((edge: { node: { id: string } }) => edge.node.id);
      return { found, rules };
    };
    const expected = {
      found: ids.map((id) => ({ agent: { agentId: id, capabilities: ['x'] }, validationRule: { id, name: id } })),
      rules: expect.arrayContaining(ids),
    };
    expect(await read(server)).toEqual(expected);
    await server.close();
    server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    expect(await read(server)).toEqual(expected);
  });

  it('a context key named like an Object method is transferred only when the context has it', async () => {
    await registerReadyAgents(server, 'keys_source', 'keys_target');
    const created = await createProcedure(server, {
      id: 'INHERITED_KEYS',
      name: 'Transfers keys named like Object methods',
      steps: [
        {
          id: 'hand_over',
          name: 'hand over',
          kind: 'TRANSFER_CONTEXT',
          params: { keys: ['toString', '__proto__', 'present'] },
          timeoutMs: 5_000,
        },
      ],
    });
    expect(created.userErrors).toEqual([]);
    const metadata = JSON.parse('{"present": 1, "__proto__": {"kept": true}}');
    await initiate(server, {
      handoffId: 'inherited_keys_1',
      procedureId: 'INHERITED_KEYS',
      targetAgent: 'keys_target',
      metadata,
    });
    const events = await server.subscribe(PROGRESS, { id: 'inherited_keys_1', after: 0 });
    expect(events.at(-1)!.data.handoffProgress.type).toBe('HANDOFF_COMPLETED');
    const { steps } = await getHandoff(server, 'inherited_keys_1');
    expect(steps[0].output).toMatchObject({ keys: ['__proto__', 'present'], missing: ['toString'] });
  });
});
