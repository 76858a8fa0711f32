import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { testStores } from '../support/test-stores.js';

/** A procedure as a graph is checked when written: every problem comes back naming the step and field. */

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({
    stores: await testStores(SqliteDatabase.inMemory()),
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 1, webhookAllowList: [] },
  });
  await engine.start();
});

afterAll(() => engine.stop());

async function problems(steps: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const outcome = await engine.procedures.create({
    id: `P${Math.floor(Math.random() * 1e9)}`,
    name: 'p',
    steps: steps.map((step) => ({ name: String(step.id), kind: 'noop', timeoutMs: 1_000, ...step })) as never,
    ...extra,
  });
  return outcome.ok
    ? []
    : outcome.errors.map((error) => ({ field: error.field?.join('.'), code: error.code, message: error.message }));
}

describe('checking a procedure graph', () => {
  it('accepts a diamond, joins, a condition and a list over an earlier output', async () => {
    expect(
      await problems([
        { id: 'plan', kind: 'noop' },
        { id: 'a', after: ['plan'], when: { 'outputs.plan.go': true } },
        { id: 'b', after: ['plan'] },
        {
          id: 'fan',
          after: ['plan'],
          kind: 'agent_task',
          params: { agentId: '$item' },
          forEach: { items: 'outputs.plan.agents', maxConcurrent: 3, join: { mode: 'N_OF', count: 2 } },
        },
        { id: 'join', after: ['a', 'b', 'fan'], join: { mode: 'ANY', others: 'FINISH' } },
      ]),
    ).toEqual([]);
  });

  it('refuses unknown dependencies, cycles and the steps they make unreachable', async () => {
    expect(await problems([{ id: 'a' }, { id: 'b', after: ['nope'] }])).toEqual([
      { field: 'input.steps.1.after', code: 'NOT_FOUND', message: expect.stringContaining('"nope"') },
    ]);
    expect(
      await problems([
        { id: 'a', after: ['c'] },
        { id: 'b', after: ['a'] },
        { id: 'c', after: ['b'] },
        { id: 'd', after: ['c'] },
      ]),
    ).toEqual([
      { field: 'input.steps.0.after', code: 'DEPENDENCY_CYCLE', message: expect.stringContaining('a → c → b → a') },
      { field: 'input.steps.3.after', code: 'INVALID_VALUE', message: expect.stringContaining('could never run') },
    ]);
    expect(await problems([{ id: 'a', after: ['a'] }])).toEqual([
      expect.objectContaining({ field: 'input.steps.0.after', message: 'a step cannot wait for itself' }),
    ]);
  });

  it('refuses a join that can never be met', async () => {
    expect(
      await problems([
        { id: 'a', after: [] },
        { id: 'b', after: [] },
        { id: 'c', after: ['a', 'b'], join: { mode: 'N_OF', count: 3 } },
        { id: 'd' },
      ]),
    ).toEqual([
      { field: 'input.steps.2.join.count', code: 'INVALID_VALUE', message: expect.stringContaining('needs 3 of 2') },
      { field: 'input.steps.3.after', code: 'INVALID_VALUE', message: expect.stringContaining('could never run') },
    ]);
    expect(await problems([{ id: 'a', after: [], join: { mode: 'ANY' } }])).toEqual([
      expect.objectContaining({ field: 'input.steps.0.join', code: 'INVALID_VALUE' }),
    ]);
  });

  it('refuses a condition that is not one, or reads what the step cannot know yet', async () => {
    expect(await problems([{ id: 'a', when: { $where: 'true' } }])).toEqual([
      expect.objectContaining({ field: 'input.steps.0.when', code: 'INVALID_CONDITION' }),
    ]);
    expect(await problems([{ id: 'a', when: { 'context.x': { $bogus: 1 } } }])).toEqual([
      expect.objectContaining({ field: 'input.steps.0.when', code: 'INVALID_CONDITION' }),
    ]);
    expect(
      await problems([
        { id: 'a', after: [] },
        { id: 'b', after: [], when: { 'outputs.a.ok': true } },
      ]),
    ).toEqual([
      expect.objectContaining({ field: 'input.steps.1.when', message: expect.stringContaining('outputs.a') }),
    ]);
  });

  it('refuses a list that is not a path, and placeholders on a step that runs once', async () => {
    expect(await problems([{ id: 'a', forEach: { items: 'reviewers' } }])).toEqual([
      expect.objectContaining({ field: 'input.steps.0.forEach.items', code: 'INVALID_VALUE' }),
    ]);
    expect(
      await problems([
        { id: 'a', after: [] },
        { id: 'b', after: [], forEach: { items: 'outputs.a.list' } },
      ]),
    ).toEqual([
      expect.objectContaining({ field: 'input.steps.1.forEach.items', message: expect.stringContaining('outputs.a') }),
    ]);
    expect(await problems([{ id: 'a', kind: 'agent_task', params: { agentId: '$item' } }])).toContainEqual(
      expect.objectContaining({ field: 'input.steps.0.params', message: expect.stringContaining('forEach') }),
    );
    expect(await problems([{ id: 'a' }], { maxParallelSteps: 0 })).toEqual([
      expect.objectContaining({ field: 'input.maxParallelSteps', code: 'INVALID_VALUE' }),
    ]);
  });
});
