import type { Procedure } from '../procedures/procedure.js';
import type { Page, PageRequest } from './page.js';

/** Procedures and every version they had: handoffs run the version they started with. */
export interface ProcedureStore {
  get(id: string): Promise<Procedure | null>;
  getMany(ids: readonly string[]): Promise<(Procedure | null)[]>;
  getVersion(id: string, version: number): Promise<Procedure | null>;
  latestVersion(id: string): Promise<number>;
  list(): Promise<Procedure[]>;
  /** A page in id order (the cursor is the last id seen). */
  page(request: PageRequest): Promise<Page<Procedure>>;
  count(): Promise<number>;
  /** DuplicateKeyError when the id exists. */
  insert(procedure: Procedure): Promise<void>;
  /** Replaces the definition if its version is still `expectedVersion`, keeping the old version; null otherwise. */
  replace(next: Procedure, expectedVersion: number): Promise<Procedure | null>;
  delete(id: string): Promise<boolean>;
}
