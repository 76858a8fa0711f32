import type { BulkOperation } from '../../engine/bulk/bulk-operation.js';
import type { BulkOperationStore } from '../../engine/bulk/bulk-operation-store.js';
import type { Collection, Database, Filter } from '../collection.js';
import { keysetPage, type Page, type PageRequest } from '../pagination.js';

interface BulkOperationDocument
  extends Omit<BulkOperation, 'id' | 'filterAsGiven' | 'filter' | 'lease' | 'metadataPatch'> {
  _id: string;
  /** The client's filter and the resolved one, as JSON text: user keys (metadata paths) never become field names. */
  filterAsGiven: string;
  filter: string;
  /** A RETRY's metadata patch, as JSON text for the same reason (absent in operations stored before it was kept). */
  metadataPatch?: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number;
}

function toDocument(operation: BulkOperation): BulkOperationDocument {
  const { id, filterAsGiven, filter, lease, metadataPatch, ...rest } = operation;
  return {
    _id: id,
    ...rest,
    filterAsGiven: JSON.stringify(filterAsGiven),
    filter: JSON.stringify(filter),
    metadataPatch: metadataPatch ? JSON.stringify(metadataPatch) : null,
    leaseOwner: lease?.owner ?? null,
    leaseExpiresAt: lease?.expiresAt ?? 0,
  };
}

function toOperation(doc: BulkOperationDocument): BulkOperation {
  const { _id, filterAsGiven, filter, metadataPatch, leaseOwner, leaseExpiresAt, ...rest } = doc;
  return {
    id: _id,
    ...rest,
    filterAsGiven: JSON.parse(filterAsGiven) as unknown,
    filter: JSON.parse(filter) as BulkOperation['filter'],
    metadataPatch: metadataPatch ? (JSON.parse(metadataPatch) as Record<string, unknown>) : null,
    lease: leaseOwner === null ? null : { owner: leaseOwner, expiresAt: leaseExpiresAt },
  };
}

/** Bulk operations as documents: one per operation, rewritten by each batch's compare-and-set. */
export class BulkOperationRepository implements BulkOperationStore {
  private constructor(private readonly operations: Collection<BulkOperationDocument>) {}

  static async open(db: Database): Promise<BulkOperationRepository> {
    return new BulkOperationRepository(
      await db.collection<BulkOperationDocument>('bulk_operations', [
        { fields: ['startedAt'] },
        { fields: ['status'] },
      ]),
    );
  }

  async create(operation: BulkOperation): Promise<void> {
    await this.operations.insertOne(toDocument(operation));
  }

  async get(id: string): Promise<BulkOperation | null> {
    const doc = await this.operations.findOne({ _id: id });
    return doc ? toOperation(doc) : null;
  }

  async update(next: BulkOperation, owner: string | null): Promise<BulkOperation | null> {
    const { _id, ...fields } = toDocument(next);
    const doc = await this.operations.findOneAndUpdate(
      { _id, version: next.version - 1, leaseOwner: owner },
      { $set: fields },
    );
    return doc ? toOperation(doc) : null;
  }

  async cancel(id: string, at: number): Promise<BulkOperation | null> {
    const doc = await this.operations.findOneAndUpdate(
      { _id: id, status: 'RUNNING' },
      { $set: { status: 'CANCELLED', finishedAt: at, leaseOwner: null, leaseExpiresAt: 0 }, $inc: { version: 1 } },
    );
    return doc ? toOperation(doc) : null;
  }

  async acquire(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
    gone: readonly string[],
  ): Promise<BulkOperation | null> {
    const free: Filter[] = [{ leaseOwner: null }, { leaseOwner: owner }, { leaseExpiresAt: { $lt: now } }];
    if (gone.length > 0) free.push({ leaseOwner: { $in: [...gone] } });
    const doc = await this.operations.findOneAndUpdate(
      { _id: id, status: 'RUNNING', $or: free },
      { $set: { leaseOwner: owner, leaseExpiresAt: now + leaseMs }, $inc: { version: 1 } },
    );
    return doc ? toOperation(doc) : null;
  }

  async running(): Promise<BulkOperation[]> {
    return (await this.operations.find({ status: 'RUNNING' })).map(toOperation);
  }

  count(): Promise<number> {
    return this.operations.count({});
  }

  page(request: PageRequest): Promise<Page<BulkOperation>> {
    return keysetPage(this.operations, {}, 'startedAt', request, toOperation);
  }
}
