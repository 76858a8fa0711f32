import type { ProcedureRepository } from '../../store/repositories/procedure-repository.js';
import { DuplicateKeyError } from '../../store/collection.js';
import type { Clock } from '../shared/clock.js';
import type { Procedure } from './procedure.js';
import { seedProcedures } from './seed-procedures.js';

/** Reads and defines procedures. */
export class ProcedureService {
  constructor(
    private readonly repository: ProcedureRepository,
    private readonly clock: Clock,
  ) {}

  /** Stores the seed procedures that are not there yet; user edits to them are kept. */
  async seedDefaults(): Promise<void> {
    for (const procedure of seedProcedures(this.clock.now())) {
      if (await this.repository.get(procedure.id)) continue;
      await this.repository.insert(procedure).catch((error) => {
        if (!(error instanceof DuplicateKeyError)) throw error; // another process seeded it first
      });
    }
  }

  list(): Promise<Procedure[]> {
    return this.repository.list();
  }

  get(id: string): Promise<Procedure | null> {
    return this.repository.get(id);
  }

  getMany(ids: readonly string[]): Promise<(Procedure | null)[]> {
    return this.repository.getMany(ids);
  }

  getVersion(id: string, version: number): Promise<Procedure | null> {
    return this.repository.getVersion(id, version);
  }
}
