/**
 * Bench-only `Database`: every collection is a `Map` keyed by `_id`, with just enough of the
 * MongoDB dialect for the repositories (equality, $in/$nin/$ne/$lt/$lte/$gt/$gte/$exists,
 * $or/$and; sort/skip/limit; unique indexes). Updates ($set/$unset/$inc with dotted paths) are
 * applied by the store's own `applyUpdate`, as the SQLite collections apply them.
 *
 * It is the "persistence stubbed out" ceiling of the engine benchmark: no copies, no
 * serialisation, no executor queue — lookups by `_id` are one Map get. Not for src/.
 */
import {
  type Collection,
  type Database,
  DuplicateKeyError,
  type Filter,
  type FindOptions,
  type IndexSpec,
  OperationCounter,
  type StoredDocument,
  type Update,
} from '../../src/store/collection.js';
import { applyUpdate, valueAt } from '../../src/store/document-update.js';

type Doc = Record<string, unknown>;

const same = (a: unknown, b: unknown): boolean =>
  a === b || ((a === undefined || a === null) && (b === undefined || b === null));

/**
 * MongoDB compares across types only within a type bracket: a number bound never matches null, a missing
 * field or a string (JavaScript's `null <= 5` is true, which would make every unscheduled handoff "due").
 */
const comparable = (value: unknown, bound: unknown): boolean =>
  value !== null && value !== undefined && typeof value === typeof bound;

function matchCondition(value: unknown, condition: unknown): boolean {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return same(value, condition);
  const ops = condition as Doc;
  for (const op of Object.keys(ops)) {
    const arg = ops[op];
    switch (op) {
      case '$eq':
        if (!same(value, arg)) return false;
        break;
      case '$ne':
        if (same(value, arg)) return false;
        break;
      case '$in':
        if (!(arg as unknown[]).some((item) => same(value, item))) return false;
        break;
      case '$nin':
        if ((arg as unknown[]).some((item) => same(value, item))) return false;
        break;
      case '$lt':
        if (!comparable(value, arg) || !((value as number) < (arg as number))) return false;
        break;
      case '$lte':
        if (!comparable(value, arg) || !((value as number) <= (arg as number))) return false;
        break;
      case '$gt':
        if (!comparable(value, arg) || !((value as number) > (arg as number))) return false;
        break;
      case '$gte':
        if (!comparable(value, arg) || !((value as number) >= (arg as number))) return false;
        break;
      case '$exists':
        if ((value !== undefined) !== Boolean(arg)) return false;
        break;
      default:
        throw new Error(`map-database: unsupported operator ${op}`);
    }
  }
  return true;
}

function matches(doc: Doc, filter: Filter): boolean {
  for (const key of Object.keys(filter)) {
    const condition = filter[key];
    if (key === '$or') {
      if (!(condition as Filter[]).some((sub) => matches(doc, sub))) return false;
    } else if (key === '$and') {
      if (!(condition as Filter[]).every((sub) => matches(doc, sub))) return false;
    } else if (!matchCondition(valueAt(doc, key), condition)) {
      return false;
    }
  }
  return true;
}

function compare(sort: Record<string, 1 | -1>) {
  const keys = Object.keys(sort);
  return (a: Doc, b: Doc): number => {
    for (const key of keys) {
      const x = valueAt(a, key) as number | string;
      const y = valueAt(b, key) as number | string;
      if (x < y) return -sort[key];
      if (x > y) return sort[key];
    }
    return 0;
  };
}

const RANGE_OPERATORS = ['$lt', '$lte', '$gt', '$gte'];

/** Top-level fields `filter` compares by range: only documents where they are set can match. */
function rangeFields(filter: Filter): string[] {
  return Object.keys(filter).filter((key) => {
    const condition = filter[key];
    return (
      !key.startsWith('$') &&
      condition !== null &&
      typeof condition === 'object' &&
      RANGE_OPERATORS.some((op) => op in (condition as Doc))
    );
  });
}

class MapCollection<T extends StoredDocument> implements Collection<T> {
  private readonly docs = new Map<string, Doc>();
  private readonly unique: string[][] = [];
  /** Unique index → taken composite keys. */
  private readonly taken = new Map<string[], Set<string>>();
  /**
   * Sparse indexes, made on first use: field compared by range → the documents where it is set. The
   * scheduler asks for handoffs whose `dueAt` passed on every turn; a scan of every stored handoff would make
   * the ceiling slower than SQLite's indexed query once a few thousand are stored.
   */
  private readonly present = new Map<string, Set<Doc>>();

  constructor(
    private readonly name: string,
    private readonly counter: OperationCounter,
  ) {}

  addIndex(index: IndexSpec): void {
    if (!index.unique || this.unique.some((fields) => fields.join() === index.fields.join())) return;
    this.unique.push(index.fields);
    this.taken.set(index.fields, new Set());
  }

  private keyOf(fields: string[], doc: Doc): string | null {
    const values = fields.map((field) => valueAt(doc, field));
    return values.every((value) => value === undefined) ? null : JSON.stringify(values);
  }

  private candidates(filter: Filter): Iterable<Doc> {
    const id = filter._id;
    if (typeof id === 'string') {
      const doc = this.docs.get(id);
      return doc ? [doc] : [];
    }
    let fewest: Set<Doc> | null = null;
    for (const field of rangeFields(filter)) {
      const docs = this.sparseIndex(field);
      if (!fewest || docs.size < fewest.size) fewest = docs;
    }
    // A copy: the caller may update or remove what it finds while it iterates.
    return fewest ? [...fewest] : this.docs.values();
  }

  private sparseIndex(field: string): Set<Doc> {
    let docs = this.present.get(field);
    if (!docs) {
      docs = new Set([...this.docs.values()].filter((doc) => valueAt(doc, field) != null));
      this.present.set(field, docs);
    }
    return docs;
  }

  /** Keeps the sparse indexes true after `doc` was inserted or changed in place. */
  private reindex(doc: Doc): void {
    for (const [field, docs] of this.present) {
      if (valueAt(doc, field) != null) docs.add(doc);
      else docs.delete(doc);
    }
  }

  async insertOne(doc: T): Promise<void> {
    await this.insertMany([doc]);
  }

  async appendMany(docs: T[]): Promise<void> {
    const seen = new Set<string>();
    const fresh = docs.filter((doc) => !this.docs.has(doc._id) && !seen.has(doc._id) && seen.add(doc._id));
    await this.insertMany(fresh);
  }

  async insertMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return;
    this.counter.writes++;
    const ids = new Set<string>();
    for (const doc of docs) {
      if (this.docs.has(doc._id) || ids.has(doc._id)) throw new DuplicateKeyError(this.name, `_id ${doc._id}`);
      ids.add(doc._id);
      for (const fields of this.unique) {
        const key = this.keyOf(fields, doc as unknown as Doc);
        if (key !== null && this.taken.get(fields)!.has(key))
          throw new DuplicateKeyError(this.name, `${fields.join(',')} ${key}`);
      }
    }
    for (const doc of docs) {
      this.docs.set(doc._id, doc as unknown as Doc);
      this.reindex(doc as unknown as Doc);
      for (const fields of this.unique) {
        const key = this.keyOf(fields, doc as unknown as Doc);
        if (key !== null) this.taken.get(fields)!.add(key);
      }
    }
  }

  async findOne(filter: Filter): Promise<T | null> {
    this.counter.reads++;
    for (const doc of this.candidates(filter)) if (matches(doc, filter)) return doc as unknown as T;
    return null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.counter.reads++;
    let found: Doc[] = [];
    for (const doc of this.candidates(filter)) if (matches(doc, filter)) found.push(doc);
    if (options.sort) found.sort(compare(options.sort));
    if (options.skip) found = found.slice(options.skip);
    if (options.limit) found = found.slice(0, options.limit);
    return found as unknown as T[];
  }

  async count(filter: Filter): Promise<number> {
    this.counter.reads++;
    let n = 0;
    for (const doc of this.candidates(filter)) if (matches(doc, filter)) n++;
    return n;
  }

  async findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<T | null> {
    this.counter.writes++;
    for (const doc of this.candidates(filter)) {
      if (!matches(doc, filter)) continue;
      applyUpdate(doc, update);
      this.reindex(doc);
      return doc as unknown as T;
    }
    if (!options.upsert) return null;
    const doc: Doc = {};
    for (const [key, value] of Object.entries(filter))
      if (!key.startsWith('$') && (value === null || typeof value !== 'object')) doc[key] = value;
    applyUpdate(doc, update);
    await this.insertMany([doc as unknown as T]);
    this.counter.writes--;
    return doc as unknown as T;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    this.counter.writes++;
    let n = 0;
    for (const doc of this.candidates(filter)) {
      if (!matches(doc, filter)) continue;
      applyUpdate(doc, update);
      this.reindex(doc);
      n++;
    }
    return n;
  }

  async deleteOne(filter: Filter): Promise<boolean> {
    this.counter.writes++;
    for (const doc of this.candidates(filter)) {
      if (!matches(doc, filter)) continue;
      this.remove(doc);
      return true;
    }
    return false;
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.counter.writes++;
    const doomed = [...this.candidates(filter)].filter((doc) => matches(doc, filter));
    for (const doc of doomed) this.remove(doc);
    return doomed.length;
  }

  private remove(doc: Doc): void {
    this.docs.delete(doc._id as string);
    for (const docs of this.present.values()) docs.delete(doc);
    for (const fields of this.unique) {
      const key = this.keyOf(fields, doc);
      if (key !== null) this.taken.get(fields)!.delete(key);
    }
  }
}

/** The ceiling store: Map per collection, shared by every opener of a name. */
export class MapDatabase implements Database {
  readonly kind = 'memory' as const;
  readonly operations = new OperationCounter();
  private readonly collections = new Map<string, MapCollection<StoredDocument>>();

  async collection<T extends StoredDocument>(name: string, indexes: IndexSpec[] = []): Promise<Collection<T>> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new MapCollection<StoredDocument>(name, this.operations);
      this.collections.set(name, collection);
    }
    for (const index of indexes) collection.addIndex(index);
    return collection as unknown as Collection<T>;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.collections.clear();
  }
}
