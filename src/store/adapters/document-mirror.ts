import type { Collection, Filter, FindOptions, MirrorSpec, StoredDocument, Update } from '../collection.js';
import { matches, select } from './point-reads.js';

/** What the change log carries for a mirror: documents as written (their mirrored fields), and ids deleted. */
export interface MirrorChange {
  kind: 'mirror';
  collection: string;
  docs: StoredDocument[];
  deleted: string[];
}

/**
 * A collection's MirrorSpec kept in this process's memory: this process's writes are applied as
 * they are made (under the document's write lock), other processes' as the change log brings them
 * (each document's in its commit order: they are appended under its lock, see ChangeLog), on top of
 * one read of the collection at start. A query on it may miss another process's write of the last
 * poll: it serves queries whose answers are checked again by a guarded write (a claim, a cancel).
 */
export class DocumentMirror<T extends StoredDocument> implements Collection<T> {
  private readonly docs = new Map<string, T>();

  constructor(
    readonly collection: string,
    private readonly spec: MirrorSpec,
  ) {}

  /** The mirrored fields of `doc` as written, or null when it is not kept (it no longer matches `keep`). */
  project(doc: T): T | null {
    if (!matches(this.spec.keep, doc)) return null;
    const kept: Record<string, unknown> = { _id: doc._id };
    for (const field of this.spec.fields) if (field in doc) kept[field] = (doc as Record<string, unknown>)[field];
    return kept as T;
  }

  /** A document as written now (its projection, or null: drop it). */
  put(id: string, projection: T | null): void {
    if (projection) this.docs.set(id, projection);
    else this.docs.delete(id);
  }

  /** A change another process appended to the change log. */
  apply(change: MirrorChange): void {
    for (const doc of change.docs) this.put(doc._id, matches(this.spec.keep, doc) ? (doc as T) : null);
    for (const id of change.deleted) this.docs.delete(id);
  }

  /** The filter to read the collection with at start: what the mirror keeps. */
  get keep(): Filter {
    return this.spec.keep;
  }

  get fields(): string[] {
    return this.spec.fields;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return select([...this.docs.values()], filter, options).map((doc) => ({ ...doc }));
  }

  async findOne(filter: Filter): Promise<T | null> {
    const [doc] = select([...this.docs.values()], filter, { limit: 1 });
    return doc ? { ...doc } : null;
  }

  async count(filter: Filter): Promise<number> {
    return select([...this.docs.values()], filter).length;
  }

  private readOnly(): never {
    throw new Error(`the mirror of ${this.collection} is read only: write to the collection`);
  }

  insertOne(_doc: T): Promise<void> {
    return this.readOnly();
  }

  insertMany(_docs: T[]): Promise<void> {
    return this.readOnly();
  }

  appendMany(_docs: T[]): Promise<void> {
    return this.readOnly();
  }

  findOneAndUpdate(_filter: Filter, _update: Update): Promise<T | null> {
    return this.readOnly();
  }

  updateMany(_filter: Filter, _update: Update): Promise<number> {
    return this.readOnly();
  }

  deleteOne(_filter: Filter): Promise<boolean> {
    return this.readOnly();
  }

  deleteMany(_filter: Filter): Promise<number> {
    return this.readOnly();
  }
}

/** Where mirrored collections announce their writes, and where the change feed hands other processes' ones. */
export class MirrorHub {
  private readonly mirrors = new Map<string, DocumentMirror<StoredDocument>>();
  private announce: ((change: MirrorChange, audience: 'others' | 'everyone') => Promise<void>) | null = null;

  /** From now on writes are announced through `announce` (the change log); before, only this process sees them. */
  attach(announce: (change: MirrorChange, audience: 'others' | 'everyone') => Promise<void>): void {
    this.announce = announce;
  }

  register(mirror: DocumentMirror<StoredDocument>): void {
    this.mirrors.set(mirror.collection, mirror);
  }

  /** This process wrote `docs` (as they are now) and deleted `deleted` in a mirrored collection. */
  async written(
    mirror: DocumentMirror<StoredDocument>,
    docs: StoredDocument[],
    deleted: string[],
    audience: 'others' | 'everyone' = 'others',
  ): Promise<void> {
    for (const doc of docs) mirror.put(doc._id, mirror.project(doc));
    for (const id of deleted) mirror.put(id, null);
    const fields = (doc: StoredDocument) =>
      Object.fromEntries(
        ['_id', ...mirror.fields]
          .filter((field) => field in doc)
          .map((field) => [field, (doc as unknown as Record<string, unknown>)[field]]),
      ) as unknown as StoredDocument;
    await this.announce?.({ kind: 'mirror', collection: mirror.collection, docs: docs.map(fields), deleted }, audience);
  }

  /** A mirror change from the change log. */
  apply(change: MirrorChange): void {
    this.mirrors.get(change.collection)?.apply(change);
  }
}
