/**
 * The update half of the document dialect ($set, $unset, $inc with dotted paths), applied to a
 * plain object: for adapters whose database does not speak it (SQLite stores documents as JSON).
 */
import type { Update } from './collection.js';

type Doc = Record<string, unknown>;

export function valueAt(doc: Doc, path: string): unknown {
  if (!path.includes('.')) return Object.hasOwn(doc, path) ? doc[path] : undefined;
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Doc)[part];
  }
  return value;
}

function setAt(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = doc;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(target, part) ? target[part] : undefined;
    if (next === null || typeof next !== 'object')
      Object.defineProperty(target, part, { value: {}, enumerable: true, writable: true, configurable: true });
    target = target[part] as Doc;
  }
  // defineProperty: a user-chosen key such as "__proto__" is data, never the prototype.
  Object.defineProperty(target, parts[parts.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function unsetAt(doc: Doc, path: string): void {
  const parts = path.split('.');
  let target: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    if (target === null || typeof target !== 'object' || !Object.hasOwn(target, part)) return;
    target = (target as Doc)[part];
  }
  if (target !== null && typeof target === 'object') delete (target as Doc)[parts[parts.length - 1]!];
}

/** Applies `update` to `doc` in place. */
export function applyUpdate(doc: Doc, update: Update): void {
  for (const op of Object.keys(update)) {
    const fields = update[op] as Doc;
    switch (op) {
      case '$set':
        for (const path of Object.keys(fields)) setAt(doc, path, fields[path]);
        break;
      case '$unset':
        for (const path of Object.keys(fields)) unsetAt(doc, path);
        break;
      case '$inc':
        for (const path of Object.keys(fields))
          setAt(doc, path, ((valueAt(doc, path) as number) ?? 0) + (fields[path] as number));
        break;
      default:
        throw new Error(`unsupported update operator ${op}`);
    }
  }
}
