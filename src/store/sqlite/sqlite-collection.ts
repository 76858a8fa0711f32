import type BetterSqlite3 from 'better-sqlite3';
import type {
  Collection,
  Filter,
  FindOptions,
  IndexSpec,
  OperationCounter,
  StoredDocument,
  Update,
} from '../collection.js';
import { applyUpdate, valueAt } from '../document-update.js';
import { fieldExpression, orderByClause, whereClause } from './sql-filter.js';
import { storeCall } from './sqlite-errors.js';

type Doc = Record<string, unknown>;

const STATEMENT_CACHE = 200;

function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates the table of a collection and the indexes it asks for, each on the same expressions its queries use. */
export function createCollectionTable(db: BetterSqlite3.Database, table: string, indexes: IndexSpec[]): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${quoted(table)} (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID`,
  );
  for (const index of indexes) {
    // Keyset pages order by (field, _id): the index carries _id so a page is one range walk.
    const fields = index.unique ? index.fields : [...index.fields, '_id'];
    const name = quoted(`${table}__${index.unique ? 'unique__' : ''}${index.fields.join('_')}`);
    const columns = fields.map(fieldExpression).join(', ');
    // Unique like MongoDB's sparse unique indexes: documents lacking the field never collide.
    const where = index.unique
      ? ` WHERE ${index.fields.map((field) => `${fieldExpression(field)} IS NOT NULL`).join(' AND ')}`
      : '';
    db.exec(
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${name} ON ${quoted(table)} (${columns})${where}`,
    );
  }
}

/**
 * One collection as a table of JSON documents. better-sqlite3 is synchronous: each call runs to
 * completion (in a transaction where it reads then writes) before any other code of this process,
 * and BEGIN IMMEDIATE keeps other processes out meanwhile, so a compare-and-set is atomic across them.
 */
export class SqliteCollection<T extends StoredDocument> implements Collection<T> {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly table: string;

  /** `name`: the collection's name (errors say it); `table`: where its documents live. */
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly name: string,
    table: string,
    private readonly counter: OperationCounter,
  ) {
    this.table = quoted(table);
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private call<R>(operation: string, run: () => R): Promise<R> {
    try {
      return Promise.resolve(storeCall(this.name, operation, run));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private insertRows(docs: T[], orIgnore = false): void {
    const insert = this.statement(`INSERT${orIgnore ? ' OR IGNORE' : ''} INTO ${this.table} (_id, doc) VALUES (?, ?)`);
    for (const doc of docs) insert.run(doc._id, JSON.stringify(doc));
  }

  insertOne(doc: T): Promise<void> {
    this.counter.writes++;
    return this.call('insert into', () => this.insertRows([doc]));
  }

  insertMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return Promise.resolve();
    this.counter.writes++;
    return this.call('insert into', () => this.db.transaction(() => this.insertRows(docs)).immediate());
  }

  appendMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return Promise.resolve();
    this.counter.writes++;
    return this.call('insert into', () => this.db.transaction(() => this.insertRows(docs, true)).immediate());
  }

  private select(filter: Filter, options: FindOptions = {}): T[] {
    const where = whereClause(filter);
    let sql = `SELECT doc FROM ${this.table} WHERE ${where.sql}${orderByClause(options.sort)}`;
    if (options.limit !== undefined || options.skip) sql += ` LIMIT ${options.limit ?? -1} OFFSET ${options.skip ?? 0}`;
    const rows = this.statement(sql)
      .pluck()
      .all(...where.params) as string[];
    return rows.map((text) => JSON.parse(text) as T);
  }

  findOne(filter: Filter): Promise<T | null> {
    this.counter.reads++;
    return this.call('read', () => this.select(filter, { limit: 1 })[0] ?? null);
  }

  find(filter: Filter, options?: FindOptions): Promise<T[]> {
    this.counter.reads++;
    return this.call('read', () => this.select(filter, options));
  }

  count(filter: Filter): Promise<number> {
    this.counter.reads++;
    const where = whereClause(filter);
    return this.call(
      'count',
      () =>
        this.statement(`SELECT count(*) FROM ${this.table} WHERE ${where.sql}`)
          .pluck()
          .get(...where.params) as number,
    );
  }

  private rewrite(doc: Doc): void {
    this.statement(`UPDATE ${this.table} SET doc = ? WHERE _id = ?`).run(JSON.stringify(doc), doc._id);
  }

  findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<T | null> {
    this.counter.writes++;
    return this.call('update', () =>
      this.db
        .transaction((): T | null => {
          const current = this.select(filter, { limit: 1 })[0] as Doc | undefined;
          if (current) {
            applyUpdate(current, update);
            this.rewrite(current);
            return current as T;
          }
          if (!options.upsert) return null;
          const created = upsertBase(filter);
          applyUpdate(created, update);
          this.insertRows([created as T]);
          return created as T;
        })
        .immediate(),
    );
  }

  updateMany(filter: Filter, update: Update): Promise<number> {
    this.counter.writes++;
    return this.call('update', () =>
      this.db
        .transaction(() => {
          const docs = this.select(filter) as Doc[];
          for (const doc of docs) {
            applyUpdate(doc, update);
            this.rewrite(doc);
          }
          return docs.length;
        })
        .immediate(),
    );
  }

  deleteOne(filter: Filter): Promise<boolean> {
    this.counter.writes++;
    const where = whereClause(filter);
    return this.call(
      'delete from',
      () =>
        this.statement(
          `DELETE FROM ${this.table} WHERE _id IN (SELECT _id FROM ${this.table} WHERE ${where.sql} LIMIT 1)`,
        ).run(...where.params).changes > 0,
    );
  }

  deleteMany(filter: Filter): Promise<number> {
    this.counter.writes++;
    const where = whereClause(filter);
    return this.call(
      'delete from',
      () => this.statement(`DELETE FROM ${this.table} WHERE ${where.sql}`).run(...where.params).changes,
    );
  }
}

/** What an upsert starts from: the filter's plain equalities (as MongoDB does). */
function upsertBase(filter: Filter): Doc {
  const doc: Doc = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$') || key.includes('.')) continue;
    if (value !== null && typeof value === 'object' && Object.keys(value).some((k) => k.startsWith('$'))) continue;
    doc[key] = value;
  }
  if (valueAt(doc, '_id') === undefined) throw new Error('upsert needs an _id in its filter');
  return doc;
}
