import DataLoader from 'dataloader';
import type { Engine } from '../engine/engine.js';
import type { Procedure } from '../engine/procedures/procedure.js';

/**
 * Per-request batchers: every `procedure { … }` or agent lookup in one request becomes one
 * `$in` read. Created fresh for each request so nothing leaks between callers.
 */
export interface Loaders {
  procedures: DataLoader<string, Procedure | null>;
}

export function createLoaders(engine: Engine): Loaders {
  return {
    procedures: new DataLoader<string, Procedure | null>((ids) => engine.procedures.getMany(ids)),
  };
}
