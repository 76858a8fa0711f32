import type { Page, PageRequest } from '../engine/kernel/ports/page.js';
import { InvalidCursorError } from '../engine/kernel/ports/store-errors.js';
import type { Collection, Filter, StoredDocument } from './collection.js';

export { InvalidCursorError, type Page, type PageRequest };

type SortValue = string | number;

export function encodeCursor(value: SortValue, id: string): string {
  return Buffer.from(JSON.stringify([value, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): [SortValue, string] {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      (typeof decoded[0] === 'string' || typeof decoded[0] === 'number') &&
      typeof decoded[1] === 'string'
    ) {
      return decoded as [SortValue, string];
    }
  } catch {
    // fall through: any undecodable cursor is the same client mistake
  }
  throw new InvalidCursorError();
}

/**
 * Keyset pagination on (sortField, _id), newest first: stable under concurrent inserts,
 * and each page is one indexed range read.
 */
export async function keysetPage<D extends StoredDocument, T>(
  collection: Collection<D>,
  filter: Filter,
  sortField: keyof D & string,
  request: PageRequest,
  toDomain: (doc: D) => T,
): Promise<Page<T>> {
  let pageFilter = filter;
  if (request.after) {
    const [value, id] = decodeCursor(request.after);
    const beyond = { $or: [{ [sortField]: { $lt: value } }, { [sortField]: value, _id: { $lt: id } }] };
    pageFilter = Object.keys(filter).length > 0 ? { $and: [filter, beyond] } : beyond;
  }
  const docs = await collection.find(pageFilter, { sort: { [sortField]: -1, _id: -1 }, limit: request.first + 1 });
  const visible = docs.slice(0, request.first);
  return {
    items: visible.map((doc) => ({
      cursor: encodeCursor(doc[sortField] as unknown as SortValue, doc._id),
      node: toDomain(doc),
    })),
    hasNextPage: docs.length > request.first,
    hasPreviousPage: Boolean(request.after),
  };
}

/** Documents for `ids` in the requested order, misses as null: the shape DataLoader needs. */
export async function findManyInOrder<D extends StoredDocument, T>(
  collection: Collection<D>,
  ids: readonly string[],
  toDomain: (doc: D) => T,
): Promise<(T | null)[]> {
  if (ids.length === 0) return [];
  const docs = await collection.find({ _id: { $in: [...new Set(ids)] } });
  const byId = new Map(docs.map((doc) => [doc._id, toDomain(doc)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * Keyset pagination in id order (ascending): for lists read by id, such as procedures and rules. The
 * cursor holds the last id seen; each page is one range read on the primary key.
 */
export async function idOrderPage<D extends StoredDocument, T>(
  collection: Collection<D>,
  filter: Filter,
  request: PageRequest,
  toDomain: (doc: D) => T,
): Promise<Page<T>> {
  let pageFilter = filter;
  if (request.after) {
    const [, id] = decodeCursor(request.after);
    const beyond = { _id: { $gt: id } };
    pageFilter = Object.keys(filter).length > 0 ? { $and: [filter, beyond] } : beyond;
  }
  const docs = await collection.find(pageFilter, { sort: { _id: 1 }, limit: request.first + 1 });
  const visible = docs.slice(0, request.first);
  return {
    items: visible.map((doc) => ({ cursor: encodeCursor(doc._id, doc._id), node: toDomain(doc) })),
    hasNextPage: docs.length > request.first,
    hasPreviousPage: Boolean(request.after),
  };
}
