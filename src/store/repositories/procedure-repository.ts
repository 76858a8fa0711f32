import type { Page, PageRequest } from '../../engine/kernel/ports/page.js';
import type { ProcedureStore } from '../../engine/kernel/ports/procedure-store.js';
import type { Procedure } from '../../engine/kernel/procedures/procedure.js';
import type { Collection, Database } from '../collection.js';
import { findManyInOrder, idOrderPage } from '../pagination.js';

interface ProcedureDocument {
  _id: string;
  version: number;
  name: string;
  updatedAt: number;
  /** The definition as JSON text: step params are free-form and may hold `$` or `.` keys. */
  definition: string;
}

function toDocument(procedure: Procedure, id = procedure.id): ProcedureDocument {
  return {
    _id: id,
    version: procedure.version,
    name: procedure.name,
    updatedAt: procedure.updatedAt,
    definition: JSON.stringify(procedure),
  };
}

function toProcedure(doc: ProcedureDocument): Procedure {
  return JSON.parse(doc.definition) as Procedure;
}

function versionKey(id: string, version: number): string {
  return `${id}@${version}`;
}

/** Current procedure definitions plus every version ever stored (running handoffs pin one). */
export class ProcedureRepository implements ProcedureStore {
  private constructor(
    private readonly current: Collection<ProcedureDocument>,
    private readonly versions: Collection<ProcedureDocument>,
  ) {}

  static async open(db: Database): Promise<ProcedureRepository> {
    return new ProcedureRepository(
      await db.collection<ProcedureDocument>('procedures', [{ fields: ['name'] }]),
      await db.collection<ProcedureDocument>('procedure_versions'),
    );
  }

  async get(id: string): Promise<Procedure | null> {
    const doc = await this.current.findOne({ _id: id });
    return doc ? toProcedure(doc) : null;
  }

  async getMany(ids: readonly string[]): Promise<(Procedure | null)[]> {
    return findManyInOrder(this.current, ids, toProcedure);
  }

  async getVersion(id: string, version: number): Promise<Procedure | null> {
    const doc = await this.versions.findOne({ _id: versionKey(id, version) });
    return doc ? toProcedure(doc) : null;
  }

  /** The highest version ever stored for `id` (0 when none): a re-created id continues from it. */
  async latestVersion(id: string): Promise<number> {
    const docs = await this.versions.find({ _id: { $gt: `${id}@`, $lt: `${id}@\uffff` } });
    return docs.reduce((max, doc) => Math.max(max, doc.version), 0);
  }

  async list(): Promise<Procedure[]> {
    const docs = await this.current.find({}, { sort: { _id: 1 } });
    return docs.map(toProcedure);
  }

  page(request: PageRequest): Promise<Page<Procedure>> {
    return idOrderPage(this.current, {}, request, toProcedure);
  }

  count(): Promise<number> {
    return this.current.count({});
  }

  /** Stores a new procedure; DuplicateKeyError when the id is taken. */
  async insert(procedure: Procedure): Promise<void> {
    const version = versionKey(procedure.id, procedure.version);
    await this.versions.insertOne(toDocument(procedure, version));
    try {
      await this.current.insertOne(toDocument(procedure));
    } catch (error) {
      // The id is taken: this version never became current, so it must not stay behind either.
      await this.versions.deleteOne({ _id: version });
      throw error;
    }
  }

  /** Replaces version `expectedVersion` with `next`; null when someone else updated it first. */
  async replace(next: Procedure, expectedVersion: number): Promise<Procedure | null> {
    await this.versions.insertOne(toDocument(next, versionKey(next.id, next.version)));
    const { _id: _ignored, ...fields } = toDocument(next);
    const updated = await this.current.findOneAndUpdate({ _id: next.id, version: expectedVersion }, { $set: fields });
    if (!updated) {
      // This version never became current: drop the copy stored above (it is ours, its key is unique).
      await this.versions.deleteOne({ _id: versionKey(next.id, next.version) });
      return null;
    }
    return toProcedure(updated);
  }

  async delete(id: string): Promise<boolean> {
    return this.current.deleteOne({ _id: id });
  }
}
