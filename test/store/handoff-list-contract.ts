import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Handoff, HandoffStatus, Priority, StepRun } from '../../src/engine/kernel/handoff/handoff.js';
import { type HandoffOrder, PRIORITY_RANK } from '../../src/engine/kernel/ports/handoff-order.js';
import type { HandoffFilter, HandoffStore } from '../../src/engine/kernel/ports/handoff-store.js';
import { InvalidCursorError } from '../../src/engine/kernel/ports/store-errors.js';

/**
 * What every handoff store must answer alike for lists: the filters, the orders, and keyset cursors
 * that neither repeat nor skip a handoff when others are created or change between pages.
 */

const created = [{ type: 'HANDOFF_CREATED' as const, step: null, message: 'created' }];

function step(overrides: Partial<StepRun> = {}): StepRun {
  return {
    id: 's1',
    name: 'S',
    kind: 'noop',
    status: 'PENDING',
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    error: null,
    output: null,
    retryAt: null,
    ...overrides,
  } as StepRun;
}

function handoff(id: string, overrides: Partial<Handoff> = {}): Handoff {
  return {
    id,
    procedureId: 'P',
    procedureVersion: 1,
    type: 'AGENT_HANDOFF',
    priority: 'MEDIUM',
    sourcePhase: null,
    targetPhase: null,
    sourceAgent: 'agent_1',
    targetAgent: 'agent_2',
    metadata: {},
    status: 'PENDING',
    steps: [step()],
    currentStep: 0,
    error: null,
    cancelReason: null,
    createdAt: 1_000,
    startedAt: null,
    finishedAt: null,
    version: 0,
    seq: 0,
    test: null,
    ...overrides,
  };
}

function next(current: Handoff, changes: Partial<Handoff>): Handoff {
  return { ...current, ...changes, version: current.version + 1, seq: current.seq };
}

export function handoffListContract<D>(fixture: {
  open(): Promise<{ store: HandoffStore; db: D }>;
  dispose(db: D): Promise<void>;
}): void {
  let opened: { store: HandoffStore; db: D };
  beforeEach(async () => {
    opened = await fixture.open();
  });
  afterEach(() => fixture.dispose(opened.db));
  const store = () => opened.store;
  const ids = async (filter: HandoffFilter, order?: HandoffOrder) =>
    (await store().page(filter, { first: 50 }, order)).items.map((item) => item.node.id);

  /** Every page of a list, `size` at a time, calling `between` after each page but the last. */
  async function walk(
    filter: HandoffFilter,
    order: HandoffOrder,
    size: number,
    between: (page: number) => Promise<void> = async () => {},
  ): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const result = await store().page(filter, { first: size, after }, order);
      seen.push(...result.items.map((item) => item.node.id));
      if (!result.hasNextPage) return seen;
      after = result.items.at(-1)!.cursor;
      await between(page);
    }
  }

  it('filters on creation and update time ranges (from inclusive, before exclusive)', async () => {
    for (const [id, at] of [
      ['a', 1_000],
      ['b', 2_000],
      ['c', 3_000],
    ] as const)
      await store().create(handoff(id, { createdAt: at }), created, at);
    const b = (await store().get('b'))!;
    await store().transition(next(b, { status: 'RUNNING' }), [], 9_000, null);
    expect(await ids({ createdAt: { from: 2_000 } })).toEqual(['c', 'b']);
    expect(await ids({ createdAt: { from: 1_000, before: 3_000 } })).toEqual(['b', 'a']);
    expect(await ids({ updatedAt: { from: 5_000 } })).toEqual(['b']);
    expect(await ids({ updatedAt: { before: 5_000 } })).toEqual(['c', 'a']);
    expect(await store().count({ updatedAt: { before: 5_000 }, status: ['PENDING'] })).toBe(2);
  });

  it('filters on a retrying step, kept by every transition', async () => {
    const h = handoff('r');
    await store().create(h, created, 1);
    await store().create(handoff('calm', { createdAt: 1_001 }), created, 1);
    expect(await ids({ retrying: true })).toEqual([]);
    const retrying = next(h, {
      status: 'RUNNING',
      steps: [step({ status: 'PENDING', attempts: 1, retryAt: 5_000, error: 'boom' })],
    });
    await store().transition(retrying, [], 2, null);
    expect(await ids({ retrying: true })).toEqual(['r']);
    expect(await ids({ retrying: false })).toEqual(['calm']);
    const secondAttempt = next(retrying, { steps: [step({ status: 'RUNNING', attempts: 2 })] });
    await store().transition(secondAttempt, [], 3, null);
    expect(await ids({ retrying: true })).toEqual(['r']);
    // The status stays RUNNING while the step stops retrying (it succeeded, another runs).
    const succeeded = next(secondAttempt, {
      steps: [step({ status: 'SUCCEEDED', attempts: 2, finishedAt: 4 }), step({ id: 's2', status: 'RUNNING' })],
    });
    await store().transition(succeeded, [], 4, null);
    expect(await ids({ retrying: true })).toEqual([]);
    expect(await ids({ retrying: false, status: ['RUNNING'] })).toEqual(['r']);
    await store().transition(
      next(succeeded, {
        status: 'COMPLETED',
        steps: [
          step({ status: 'SUCCEEDED', attempts: 2, finishedAt: 4 }),
          step({ id: 's2', status: 'SUCCEEDED', finishedAt: 5 }),
        ],
      }),
      [],
      5,
      null,
    );
    expect(await ids({ retrying: true })).toEqual([]);
    expect(await store().count({ retrying: false })).toBe(2);
  });

  it('filters on agents by id list and side; an empty list matches nothing', async () => {
    await store().create(handoff('h1', { sourceAgent: 'ana', targetAgent: 'bob' }), created, 1);
    await store().create(handoff('h2', { sourceAgent: 'bob', targetAgent: 'cy', createdAt: 1_001 }), created, 1);
    await store().create(handoff('h3', { sourceAgent: 'dan', targetAgent: null, createdAt: 1_002 }), created, 1);
    expect(await ids({ agentIn: { ids: ['bob', 'dan'], side: 'SOURCE' } })).toEqual(['h3', 'h2']);
    expect(await ids({ agentIn: { ids: ['bob'], side: 'TARGET' } })).toEqual(['h1']);
    expect(await ids({ agentIn: { ids: ['bob', 'cy'], side: 'ANY' } })).toEqual(['h2', 'h1']);
    expect(await ids({ agentIn: { ids: [], side: 'ANY' } })).toEqual([]);
    expect(await store().count({ agentIn: { ids: ['ana', 'dan'], side: 'ANY' } })).toBe(2);
  });

  it('filters on metadata values at a path: same JSON type and value, null for missing, no look into arrays', async () => {
    const metadata: Record<string, Record<string, unknown>> = {
      gold: { customer: { tier: 'gold', seats: 12, vip: true }, tags: ['gold'] },
      silver: { customer: { tier: 'silver', seats: 3, vip: false, note: null } },
      text12: { customer: { tier: 'gold', seats: '12' }, 'odd.key': { $gt: 1 } },
      none: {},
    };
    let at = 1_000;
    for (const [id, value] of Object.entries(metadata))
      await store().create(handoff(id, { metadata: value, createdAt: at++ }), created, 1);
    const where = (path: string[], equals: string | number | boolean | null) => ids({ metadata: [{ path, equals }] });
    expect(await where(['customer', 'tier'], 'gold')).toEqual(['text12', 'gold']);
    expect(await where(['customer', 'seats'], 12)).toEqual(['gold']);
    expect(await where(['customer', 'seats'], '12')).toEqual(['text12']);
    expect(await where(['customer', 'vip'], false)).toEqual(['silver']);
    expect(await where(['customer', 'note'], null)).toEqual(['none', 'text12', 'silver', 'gold']);
    expect(await where(['customer'], null)).toEqual(['none']);
    expect(await where(['tags'], 'gold')).toEqual([]);
    expect(await where(['tags'], null)).toEqual(['none', 'text12', 'silver']);
    expect(
      await ids({
        metadata: [
          { path: ['customer', 'tier'], equals: 'gold' },
          { path: ['customer', 'seats'], equals: 12 },
        ],
      }),
    ).toEqual(['gold']);
    expect(await store().count({ metadata: [{ path: ['customer', 'tier'], equals: 'gold' }] })).toBe(2);
  });

  it('keeps to a set fixed by (createdAt, id): later handoffs, even of the same millisecond, stay out', async () => {
    for (const id of ['a', 'b', 'c']) await store().create(handoff(id, { createdAt: 1_000 }), created, 1);
    await store().create(handoff('later', { createdAt: 2_000 }), created, 1);
    expect(await ids({ upTo: { createdAt: 1_000, id: 'b' } })).toEqual(['b', 'a']);
    expect(await store().count({ upTo: { createdAt: 1_000, id: 'c' } })).toBe(3);
  });

  it('sorts by each order both ways with the id as tiebreak, and merges several statuses in that order', async () => {
    const priorities: Priority[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
    const statuses: HandoffStatus[] = ['PENDING', 'RUNNING', 'WAITING'];
    const all: { id: string; createdAt: number; updatedAt: number; rank: number; status: HandoffStatus }[] = [];
    for (let i = 0; i < 24; i++) {
      const h = handoff(`h${String(i).padStart(2, '0')}`, {
        createdAt: 1_000 + (i % 5),
        priority: priorities[(i * 7) % 4]!,
      });
      await store().create(h, created, h.createdAt);
      const updatedAt = 5_000 + ((i * 11) % 6);
      const status = statuses[i % 3]!;
      await store().transition(next(h, { status }), [], updatedAt, null);
      all.push({ id: h.id, createdAt: h.createdAt, updatedAt, rank: PRIORITY_RANK[h.priority], status });
    }
    const keyOf = (order: HandoffOrder, row: (typeof all)[number]): (number | string)[] =>
      order.field === 'CREATED_AT'
        ? [row.createdAt, row.id]
        : order.field === 'UPDATED_AT'
          ? [row.updatedAt, row.id]
          : [row.rank, row.createdAt, row.id];
    const sorted = (order: HandoffOrder, rows: typeof all) =>
      [...rows]
        .sort((a, b) => {
          const [ka, kb] = [keyOf(order, a), keyOf(order, b)];
          const index = ka.findIndex((value, at) => value !== kb[at]);
          const sign = order.direction === 'ASC' ? 1 : -1;
          return index < 0 ? 0 : ka[index]! < kb[index]! ? -sign : sign;
        })
        .map((row) => row.id);
    for (const field of ['CREATED_AT', 'UPDATED_AT', 'PRIORITY'] as const) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const order = { field, direction };
        expect(await walk({}, order, 5), `${field} ${direction}`).toEqual(sorted(order, all));
        expect(await walk({ status: ['PENDING', 'WAITING'] }, order, 4), `${field} ${direction}, two statuses`).toEqual(
          sorted(
            order,
            all.filter((row) => row.status !== 'RUNNING'),
          ),
        );
      }
    }
  });

  it('walks CREATED_AT and PRIORITY without repeats or gaps while handoffs are created and change between pages', async () => {
    const priorities: Priority[] = ['LOW', 'HIGH', 'MEDIUM', 'CRITICAL'];
    for (let i = 0; i < 20; i++)
      await store().create(
        handoff(`h${String(i).padStart(2, '0')}`, { createdAt: 1_000 + i, priority: priorities[i % 4]! }),
        created,
        1_000 + i,
      );
    const original = (await ids({})).sort();
    for (const order of [
      { field: 'CREATED_AT', direction: 'DESC' },
      { field: 'CREATED_AT', direction: 'ASC' },
      { field: 'PRIORITY', direction: 'DESC' },
      { field: 'PRIORITY', direction: 'ASC' },
    ] as const) {
      let made = 0;
      const seen = await walk({}, order, 3, async (page) => {
        // Every handoff changes, and a new one arrives, between every two pages.
        for (const id of original) {
          const current = (await store().get(id))!;
          await store().transition(
            next(current, { status: page % 2 ? 'WAITING' : 'RUNNING' }),
            [],
            10_000 + page,
            null,
          );
        }
        await store().create(
          handoff(`new-${order.field}-${order.direction}-${made++}`, {
            createdAt: 20_000 + made,
            priority: 'CRITICAL',
          }),
          created,
          20_000,
        );
      });
      expect(new Set(seen).size, `${order.field} ${order.direction}: no repeats`).toBe(seen.length);
      expect(seen.filter((id) => !id.startsWith('new-')).sort(), `${order.field} ${order.direction}: no gaps`).toEqual(
        original,
      );
    }
  });

  it('walks UPDATED_AT ASC as a change feed: a handoff changed after it was read comes again, at its new place', async () => {
    for (let i = 0; i < 6; i++) await store().create(handoff(`h${i}`, { createdAt: 1_000 + i }), created, 1_000 + i);
    const order: HandoffOrder = { field: 'UPDATED_AT', direction: 'ASC' };
    const seen = await walk({}, order, 2, async (page) => {
      if (page !== 0) return;
      const first = (await store().get('h0'))!;
      await store().transition(next(first, { status: 'RUNNING' }), [], 9_000, null);
    });
    expect(seen).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h0']);
  });

  it('refuses a cursor of another order, or one that does not decode, and reads a cursor of the list before orders', async () => {
    for (let i = 0; i < 3; i++) await store().create(handoff(`h${i}`, { createdAt: 1_000 + i }), created, 1);
    const byPriority = await store().page({}, { first: 1 }, { field: 'PRIORITY', direction: 'DESC' });
    const cursor = byPriority.items[0]!.cursor;
    await expect(
      store().page({}, { first: 1, after: cursor }, { field: 'CREATED_AT', direction: 'DESC' }),
    ).rejects.toThrow(/order PRIORITY DESC, not CREATED_AT DESC/);
    await expect(
      store().page({}, { first: 1, after: cursor }, { field: 'PRIORITY', direction: 'ASC' }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store().page({}, { first: 1, after: 'bm9wZQ' })).rejects.toBeInstanceOf(InvalidCursorError);
    const legacy = Buffer.from(JSON.stringify([1_002, 'h2'])).toString('base64url');
    expect((await store().page({}, { first: 5, after: legacy })).items.map((item) => item.node.id)).toEqual([
      'h1',
      'h0',
    ]);
  });
}
