import type { EngineModule } from '../kernel/engine-module.js';
import type { Kernel } from '../kernel/kernel.js';
import { repeatEvery } from '../shared/clock.js';
import { BulkOperationService } from './bulk-operation-service.js';
import type { BulkOperationStore } from './bulk-operation-store.js';

export interface BulkSettings {
  /** Handoffs a bulk operation acts on per batch, its progress stored after each (default 100). */
  bulkBatchSize?: number;
  /** Pause between two batches of a bulk operation (default 0). */
  bulkBatchIntervalMs?: number;
}

export interface BulkModule extends EngineModule {
  /** Bulk actions over the handoffs a filter matches: started, driven in batches, resumed after a restart. */
  service: BulkOperationService;
}

/** Bulk operations: started here, driven under a lease, taken over from a process that died. */
export function wireBulk(
  kernel: Kernel<{ kind: string }>,
  store: BulkOperationStore,
  settings: BulkSettings,
): BulkModule {
  const { clock, random, logger, leases, stores } = kernel.base;
  const service = new BulkOperationService({
    store,
    handoffs: kernel.handoffs,
    clock,
    random,
    logger,
    leases,
    batchSize: settings.bulkBatchSize ?? 100,
    batchIntervalMs: settings.bulkBatchIntervalMs ?? 0,
  });
  const resume = async () => {
    try {
      await service.resumeRunning();
    } catch (error) {
      logger.warn({ err: error }, 'could not resume bulk operations');
    }
  };
  return {
    name: 'bulk',
    service,
    async start() {
      await resume();
      // An operation left by a process that died elsewhere is taken over when its lease runs out.
      const stopResuming =
        stores.sharing === 'shared' ? repeatEvery(clock, leases.renewEveryMs, resume) : () => undefined;
      return async () => {
        stopResuming();
        await service.stop();
      };
    },
  };
}
