import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, follow, getHandoff, initiate, phaseContext, quickStep } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;
let hook: Server;
const received: { body: any; key: string | undefined }[] = [];
let hookUrl = '';

beforeAll(async () => {
  hook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ body: JSON.parse(body), key: request.headers['idempotency-key'] as string | undefined });
      // /flaky fails the first call of each step it serves, then succeeds.
      const flakyFirst =
        request.url === '/flaky' &&
        received.filter(
          (r) => r.body.handoffId === received.at(-1)!.body.handoffId && r.body.step === received.at(-1)!.body.step,
        ).length === 1;
      response.statusCode = request.url === '/fail' || flakyFirst ? 503 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  server = await startTestApp({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' });
});

afterAll(async () => {
  await server.close();
  await new Promise((resolve) => hook.close(resolve));
});

describe('procedure definitions', () => {
  it('lists both seed procedures with their steps, gates and rollbacks', async () => {
    const response = await server.gql(`{ procedures { edges { node { procedureId name estimatedDurationMs
      steps { id name kind timeoutMs maxAttempts } validationRules { id severity } rollback { id name } } } } }`);
    const byId = Object.fromEntries(response.data.procedures.edges.map(({ node: p }: any) => [p.procedureId, p]));
    expect(byId.PHASE_TRANSITION_STANDARD.steps.map((s: any) => s.name)).toEqual([
      'Phase Completion Validation',
      'Resource Handoff',
      'State Synchronization',
      'Handoff Validation',
    ]);
    expect(byId.PHASE_TRANSITION_STANDARD.estimatedDurationMs).toBe(165_000);
    expect(byId.PHASE_TRANSITION_STANDARD.validationRules).toEqual([
      { id: 'VR001', severity: 'CRITICAL' },
      { id: 'VR002', severity: 'CRITICAL' },
      { id: 'VR003', severity: 'HIGH' },
    ]);
    expect(byId.PHASE_TRANSITION_STANDARD.rollback.map((r: any) => r.name)).toEqual([
      'Resource Rollback',
      'State Rollback',
    ]);
    expect(byId.AGENT_HANDOFF_STANDARD.estimatedDurationMs).toBe(109_800);
    expect(byId.AGENT_HANDOFF_STANDARD.rollback.map((r: any) => r.name)).toEqual(['Context Rollback']);
  });

  it('points userErrors at each bad field of a definition', async () => {
    const result = await createProcedure(server, {
      id: '9bad id',
      name: 'Broken',
      validationRules: ['VR999'],
      steps: [
        quickStep('a', 'NOOP', {}),
        quickStep('a', 'DELAY', { ms: -1 }, { timeoutMs: 0 }),
        quickStep('c', 'VALIDATE', { rules: [] }, { retry: { maxAttempts: 0 } }),
        quickStep('d', 'WEBHOOK', { url: 'http://evil.example.com/x' }),
      ],
    });
    expect(result.procedure).toBeNull();
    const fields = result.userErrors.map((e: any) => `${e.code} ${e.field.join('.')}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'INVALID_VALUE input.id',
        'NOT_FOUND input.validationRules',
        'DUPLICATE_KEY input.steps.1.id',
        'INVALID_VALUE input.steps.1.timeoutMs',
        'INVALID_VALUE input.steps.1.params',
        'INVALID_VALUE input.steps.2.params',
        'INVALID_VALUE input.steps.2.retry.maxAttempts',
        'INVALID_VALUE input.steps.3.params',
      ]),
    );
    const list = await server.gql(`{ procedure(id: "9bad id") { id } }`);
    expect(list.data.procedure).toBeNull();
  });

  it('refuses a duplicate id and versions updates', async () => {
    const first = await createProcedure(server, {
      id: 'VERSIONED_API',
      name: 'one',
      steps: [quickStep('a', 'NOOP', {})],
    });
    expect(first.procedure.version).toBe(1);
    const again = await createProcedure(server, {
      id: 'VERSIONED_API',
      name: 'two',
      steps: [quickStep('a', 'NOOP', {})],
    });
    expect(again.userErrors[0]).toMatchObject({ code: 'DUPLICATE_KEY', field: ['input', 'id'] });
    const update = `mutation($input: UpdateProcedureInput!) { updateProcedure(input: $input) { procedure { version name } userErrors { code field } } }`;
    const updated = await server.gql(update, {
      input: { id: 'VERSIONED_API', name: 'two', expectedVersion: 1, steps: [quickStep('b', 'NOOP', {})] },
    });
    expect(updated.data.updateProcedure.procedure).toEqual({ version: 2, name: 'two' });
    const stale = await server.gql(update, {
      input: { id: 'VERSIONED_API', name: 'three', expectedVersion: 1, steps: [quickStep('b', 'NOOP', {})] },
    });
    expect(stale.data.updateProcedure.userErrors[0]).toEqual({
      code: 'VERSION_CONFLICT',
      field: ['input', 'expectedVersion'],
    });
    const deleted = await server.gql(
      `mutation { deleteProcedure(input: { id: "VERSIONED_API" }) { procedure { version } userErrors { code } } }`,
    );
    expect(deleted.data.deleteProcedure.procedure.version).toBe(2);
    const gone = await server.gql(`{ procedure(id: "VERSIONED_API") { id } }`);
    expect(gone.data.procedure).toBeNull();
    const again2 = await createProcedure(server, {
      id: 'VERSIONED_API',
      name: 'reborn',
      steps: [quickStep('c', 'NOOP', {})],
    });
    expect(again2.userErrors).toEqual([]);
    expect(again2.procedure.version).toBe(3);
  });

  it('refuses to initiate a handoff of an unknown procedure', async () => {
    const result = await initiate(server, { handoffId: 'nope_1', procedureId: 'NO_SUCH' });
    expect(result.handoff).toBeNull();
    expect(result.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'procedureId'] });
  });
});

describe('post-step validation', () => {
  it('fails a step whose own rules fail after it ran at once (VALIDATION_FAILED is not retried by default), or retries it when its policy says so', async () => {
    const define = (id: string, nonRetryableCodes?: string[]) =>
      createProcedure(server, {
        id,
        name: 'Transfer then check resources',
        steps: [
          quickStep(
            'hand_over',
            'TRANSFER_CONTEXT',
            { keys: ['resources'] },
            { validateRules: ['VR002'], retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 0, nonRetryableCodes } },
          ),
        ],
      });
    await define('CHECKED_TRANSFER');
    await define('CHECKED_TRANSFER_RETRIED', []);
    await server.gql('mutation { registerAgent(input: { id: "receiver" }) { userErrors { message } } }');
    const run = async (handoffId: string, procedureId: string) => {
      await initiate(server, {
        handoffId,
        procedureId,
        targetAgent: 'receiver',
        metadata: { resources: [{ name: 'gpu', available: false }] },
      });
      return (await follow(server, handoffId)).filter((e) => e.type === 'STEP_FAILED');
    };
    const failures = await run('checked_1', 'CHECKED_TRANSFER');
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toContain('post-step validation failed');
    expect(failures[0].message).toContain('VR002');
    expect((await getHandoff(server, 'checked_1')).status).toBe('FAILED');
    expect(await run('checked_2', 'CHECKED_TRANSFER_RETRIED')).toHaveLength(2);
  });
});

describe('prerequisites', () => {
  it('refuses a handoff whose required agents are not registered', async () => {
    await createProcedure(server, {
      id: 'NEEDS_REVIEWER',
      name: 'Needs reviewer',
      requiredAgents: ['reviewer_1'],
      steps: [quickStep('a', 'NOOP', {})],
    });
    const refused = await initiate(server, { handoffId: 'needs_reviewer_1', procedureId: 'NEEDS_REVIEWER' });
    expect(refused.userErrors[0]).toMatchObject({
      code: 'AGENT_NOT_REGISTERED',
      message: expect.stringContaining('reviewer_1'),
    });
    await server.gql(`mutation { registerAgent(input: { id: "reviewer_1" }) { userErrors { message } } }`);
    const accepted = await initiate(server, { handoffId: 'needs_reviewer_1', procedureId: 'NEEDS_REVIEWER' });
    expect(accepted.userErrors).toEqual([]);
  });

  it('refuses a handoff until its dependency procedure has completed for the same source phase', async () => {
    await createProcedure(server, { id: 'BUILD', name: 'Build', steps: [quickStep('a', 'NOOP', {})] });
    await createProcedure(server, {
      id: 'DEPLOY',
      name: 'Deploy',
      dependencies: ['BUILD'],
      steps: [quickStep('a', 'NOOP', {})],
    });
    await initiate(server, { handoffId: 'build_other', procedureId: 'BUILD', sourcePhase: 'release_6' });
    await follow(server, 'build_other');
    const early = await initiate(server, { handoffId: 'deploy_1', procedureId: 'DEPLOY', sourcePhase: 'release_7' });
    expect(early.userErrors[0]).toMatchObject({ code: 'DEPENDENCY_NOT_MET', field: ['input', 'sourcePhase'] });
    await initiate(server, { handoffId: 'build_1', procedureId: 'BUILD', sourcePhase: 'release_7' });
    await follow(server, 'build_1');
    const later = await initiate(server, { handoffId: 'deploy_1', procedureId: 'DEPLOY', sourcePhase: 'release_7' });
    expect(later.userErrors).toEqual([]);
  });
});

describe('definitions that could never run', () => {
  it('refuses dependencies that form a cycle, on create and on update, naming the chain', async () => {
    const self = await createProcedure(server, {
      id: 'SELF_DEP',
      name: 'Self',
      dependencies: ['SELF_DEP'],
      steps: [quickStep('a', 'NOOP', {})],
    });
    expect(self.userErrors).toEqual([
      {
        field: ['input', 'dependencies'],
        code: 'DEPENDENCY_CYCLE',
        message: expect.stringContaining('SELF_DEP → SELF_DEP'),
      },
    ]);
    expect(
      (await createProcedure(server, { id: 'CYCLE_A', name: 'A', steps: [quickStep('a', 'NOOP', {})] })).userErrors,
    ).toEqual([]);
    expect(
      (
        await createProcedure(server, {
          id: 'CYCLE_B',
          name: 'B',
          dependencies: ['CYCLE_A'],
          steps: [quickStep('a', 'NOOP', {})],
        })
      ).userErrors,
    ).toEqual([]);
    expect(
      (
        await createProcedure(server, {
          id: 'CYCLE_C',
          name: 'C',
          dependencies: ['CYCLE_B'],
          steps: [quickStep('a', 'NOOP', {})],
        })
      ).userErrors,
    ).toEqual([]);
    const closing = await server.gql(
      `mutation($input: UpdateProcedureInput!) { updateProcedure(input: $input) { procedure { version } userErrors { field code message } } }`,
      { input: { id: 'CYCLE_A', name: 'A', dependencies: ['CYCLE_C'], steps: [quickStep('a', 'NOOP', {})] } },
    );
    expect(closing.data.updateProcedure).toEqual({
      procedure: null,
      userErrors: [
        {
          field: ['input', 'dependencies'],
          code: 'DEPENDENCY_CYCLE',
          message: expect.stringContaining('CYCLE_A → CYCLE_C → CYCLE_B → CYCLE_A'),
        },
      ],
    });
  });

  it('refuses a context transfer to a target agent nobody registered, and runs once it is registered', async () => {
    const input = {
      handoffId: 'ghost_target_1',
      procedureId: 'PHASE_TRANSITION_STANDARD',
      sourceAgent: 'ghost_source',
      targetAgent: 'ghost_target',
      metadata: phaseContext(),
    };
    const refused = await initiate(server, input);
    expect(refused.handoff).toBeNull();
    expect(refused.userErrors).toEqual([
      {
        field: ['input', 'targetAgent'],
        code: 'AGENT_NOT_REGISTERED',
        message: expect.stringContaining('"ghost_target"'),
      },
    ]);
    await server.gql('mutation { registerAgent(input: { id: "ghost_target" }) { userErrors { message } } }');
    const accepted = await initiate(server, input);
    expect(accepted.userErrors).toEqual([]);
    expect((await follow(server, 'ghost_target_1')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
  });
});

describe('webhook steps', () => {
  it('POSTs the handoff to an allow-listed URL and succeeds on 2xx', async () => {
    const created = await createProcedure(server, {
      id: 'HOOKED',
      name: 'Calls a hook',
      steps: [quickStep('notify', 'WEBHOOK', { url: `${hookUrl}/ok`, body: { hello: 1 } })],
    });
    expect(created.userErrors).toEqual([]);
    await initiate(server, { handoffId: 'hooked_1', procedureId: 'HOOKED', targetAgent: 'someone' });
    const events = await follow(server, 'hooked_1');
    expect(events.at(-1)!.type).toBe('HANDOFF_COMPLETED');
    const call = received.find((r) => r.body.handoffId === 'hooked_1')!;
    expect(call.body).toMatchObject({
      procedureId: 'HOOKED',
      step: 'notify',
      targetAgent: 'someone',
      attempt: 1,
      payload: { hello: 1 },
    });
    expect(call.key).toBe('hooked_1:notify:1');
  });

  it('gives every step, compensation and attempt its own Idempotency-Key, so a de-duplicating receiver skips nothing', async () => {
    const hooked = (id: string, path: string) => ({
      id,
      name: id,
      kind: 'WEBHOOK',
      params: { url: `${hookUrl}${path}` },
      timeoutMs: 2_000,
    });
    const created = await createProcedure(server, {
      id: 'HOOKED_UNDO',
      name: 'Hooks and their undos',
      steps: [
        quickStep('reserve', 'WEBHOOK', { url: `${hookUrl}/ok` }, { compensation: hooked('release', '/flaky') }),
        quickStep('charge', 'WEBHOOK', { url: `${hookUrl}/ok` }, { compensation: hooked('refund', '/ok') }),
        quickStep('ship', 'SIMULATE', { failFirstAttempts: 9 }, { retry: { maxAttempts: 1 } }),
      ],
    });
    expect(created.userErrors).toEqual([]);
    await initiate(server, { handoffId: 'hooked:2', procedureId: 'HOOKED_UNDO' });
    expect((await follow(server, 'hooked:2')).at(-1)!.type).toBe('HANDOFF_ROLLED_BACK');
    const keys = received.filter((r) => r.body.handoffId === 'hooked:2').map((r) => r.key);
    expect(keys).toEqual([
      'hooked:2:reserve:1',
      'hooked:2:charge:1',
      'hooked:2:refund:1',
      'hooked:2:release:1',
      'hooked:2:release:2',
    ]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('retries a failing webhook and fails the handoff when every attempt gets a 5xx', async () => {
    await createProcedure(server, {
      id: 'HOOK_FAILS',
      name: 'Hook fails',
      steps: [quickStep('notify', 'WEBHOOK', { url: `${hookUrl}/fail` })],
    });
    await initiate(server, { handoffId: 'hook_fails_1', procedureId: 'HOOK_FAILS' });
    const events = await follow(server, 'hook_fails_1');
    expect(events.filter((e) => e.type === 'STEP_FAILED').map((e) => e.message)).toEqual([
      'attempt 1 failed: webhook answered HTTP 503',
      'attempt 2 failed: webhook answered HTTP 503',
      'attempt 3 failed: webhook answered HTTP 503',
    ]);
    expect((await getHandoff(server, 'hook_fails_1')).status).toBe('FAILED');
  });
});
