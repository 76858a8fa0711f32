import type { StoredDocument } from '../../src/store/collection.js';

/** A task-like document: enough fields to filter, sort and compare-and-set on. */
export interface TaskDocument extends StoredDocument {
  status: 'PENDING' | 'RUNNING' | 'DONE';
  createdAt: number;
  version: number;
  owner?: string;
  email?: string;
}

export function task(id: string, overrides: Partial<TaskDocument> = {}): TaskDocument {
  return { _id: id, status: 'PENDING', createdAt: 1_700_000_000_000, version: 1, ...overrides };
}
