import { Query } from 'mingo';
import type { Filter, FindOptions } from '../collection.js';

/** How many point reads one query sends at once. */
const POINT_READS_AT_ONCE = 16;

/**
 * The ids a filter names (`_id: 'x'`, `_id: { $eq: 'x' }` or `_id: { $in: [...] }`), or null when it
 * does not pin its documents by id.
 */
export function pinnedIds(filter: Filter): string[] | null {
  const id = filter._id;
  if (typeof id === 'string') return [id];
  if (id === null || typeof id !== 'object' || Array.isArray(id)) return null;
  const operators = Object.keys(id);
  if (operators.length !== 1) return null;
  const value = (id as Record<string, unknown>)[operators[0]!];
  if (operators[0] === '$eq' && typeof value === 'string') return [value];
  if (operators[0] === '$in' && Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return [...new Set(value as string[])];
  return null;
}

/** The one id a filter pins, or null. */
export function pinnedId(filter: Filter): string | null {
  const ids = pinnedIds(filter);
  return ids?.length === 1 ? ids[0]! : null;
}

/** Whether `doc` matches the filter, by MongoDB's query semantics (mingo). */
export function matches(filter: Filter, doc: object): boolean {
  return new Query(filter).test(doc as Record<string, unknown>);
}

/** The documents of `docs` that match, sorted, skipped and limited as the server would. */
export function select<T extends object>(docs: T[], filter: Filter, options: FindOptions = {}): T[] {
  let cursor = new Query(filter).find<T>(docs);
  if (options.sort) cursor = cursor.sort(options.sort);
  if (options.skip) cursor = cursor.skip(options.skip);
  if (options.limit) cursor = cursor.limit(options.limit);
  return cursor.all();
}

/** `read` for every id, a bounded number at a time; misses left out, order kept. */
export async function readEach<T>(ids: string[], read: (id: string) => Promise<T | null>): Promise<T[]> {
  const found: (T | null)[] = new Array(ids.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const index = next++;
      found[index] = await read(ids[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(POINT_READS_AT_ONCE, ids.length) }, worker));
  return found.filter((doc): doc is Awaited<T> => doc !== null) as T[];
}
