import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HandoffOrder } from '../../src/engine/kernel/ports/handoff-order.js';
import type { HandoffFilter } from '../../src/engine/kernel/ports/handoff-store.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { SqliteHandoffStore } from '../../src/store/sqlite/sqlite-handoff-store.js';

/**
 * The query plans of handoff list pages on the native SQLite tables: each order and the filters a
 * dashboard leans on walk an index in order (no sort of every matching row).
 */
describe('SQLite handoff list plans', () => {
  let db: SqliteDatabase;
  let store: SqliteHandoffStore;
  const plans: string[] = [];

  beforeEach(() => {
    db = SqliteDatabase.inMemory();
    const connection = db.connection;
    const prepare = connection.prepare.bind(connection);
    // Records the plan of every page statement as it runs, with the parameters it runs with.
    connection.prepare = ((sql: string) => {
      const statement = prepare(sql);
      if (!sql.startsWith('SELECT id, created_at, updated_at')) return statement;
      const all = statement.all.bind(statement);
      Object.assign(statement, {
        all: (...params: unknown[]) => {
          const rows = prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
          plans.push(rows.map((row) => row.detail).join(' | '));
          return all(...params);
        },
      });
      return statement;
    }) as BetterSqlite3.Database['prepare'];
    store = new SqliteHandoffStore(connection, 'writer', db.operations);
    plans.length = 0;
  });

  afterEach(() => db.close());

  const cases: [string, HandoffFilter, HandoffOrder, string][] = [
    ['newest first', {}, { field: 'CREATED_AT', direction: 'DESC' }, 'handoffs_by_created'],
    ['oldest first, after a cursor', {}, { field: 'CREATED_AT', direction: 'ASC' }, 'handoffs_by_created'],
    ['latest change first', {}, { field: 'UPDATED_AT', direction: 'DESC' }, 'handoffs_by_updated'],
    ['by priority', {}, { field: 'PRIORITY', direction: 'DESC' }, 'handoffs_by_priority'],
    [
      'one status by priority',
      { status: ['PENDING'] },
      { field: 'PRIORITY', direction: 'ASC' },
      'handoffs_by_status_priority',
    ],
    [
      'waiting longer than (two statuses, updated before)',
      { status: ['PENDING', 'WAITING'], updatedAt: { before: 5_000 } },
      { field: 'UPDATED_AT', direction: 'ASC' },
      'handoffs_by_status_updated',
    ],
    ['retrying', { retrying: true }, { field: 'CREATED_AT', direction: 'DESC' }, 'handoffs_retrying'],
  ];

  for (const [name, filter, order, index] of cases) {
    it(`${name}: walks ${index} in order`, async () => {
      const first = await store.page(filter, { first: 10 }, order);
      expect(first.items).toEqual([]);
      // A cursor's keyset condition must keep the same plan.
      const cursor = Buffer.from(
        JSON.stringify({
          o: `${order.field}:${order.direction}`,
          k: order.field === 'PRIORITY' ? [1, 1] : [1],
          i: 'x',
        }),
      ).toString('base64url');
      await store.page(filter, { first: 10, after: cursor }, order);
      expect(plans.length).toBeGreaterThanOrEqual(2);
      for (const plan of plans) {
        expect(plan).toContain(`INDEX ${index}`);
        expect(plan).not.toContain('TEMP B-TREE');
      }
    });
  }
});
