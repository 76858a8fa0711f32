import type { Clock } from '../shared/clock.js';
import type { Topic } from '../shared/topic.js';
import { type BulkOperation, isBulkOperationFinished } from './bulk-operation.js';
import type { BulkOperationStore } from './bulk-operation-store.js';

/**
 * The stored operation now, then again each time its progress changes, ending with the final one.
 * Batches recorded here wake it at once; those recorded by another process are read every `pollMs`.
 * Every value read from the store: counts never go backwards and the last one is what was stored.
 */
export async function* bulkOperationProgress(
  store: BulkOperationStore,
  changes: Topic<string>,
  clock: Clock,
  id: string,
  pollMs: number,
): AsyncGenerator<BulkOperation> {
  let changed = false;
  let wake: (() => void) | null = null;
  // Listening before the first read: a batch recorded in between is not missed.
  const unsubscribe = changes.subscribe((changedId) => {
    if (changedId !== id) return;
    changed = true;
    wake?.();
  });
  const stopWaiting = new AbortController();
  try {
    let last = '';
    for (;;) {
      changed = false;
      const operation = await store.get(id);
      if (!operation) return;
      const seen = `${operation.version}/${operation.status}`;
      if (seen !== last) {
        last = seen;
        yield operation;
      }
      if (isBulkOperationFinished(operation)) return;
      if (changed) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        clock.sleep(pollMs, stopWaiting.signal).then(resolve, resolve);
      });
      wake = null;
    }
  } finally {
    unsubscribe();
    stopWaiting.abort(new Error('progress stream ended'));
  }
}
