import type { AgentService } from '../agents/agent-service.js';
import type { EngineModule } from '../kernel/engine-module.js';
import type { Kernel } from '../kernel/kernel.js';
import type { FaultInjectors } from './fault-injectors.js';
import { ReliabilityService } from './reliability-service.js';
import type { ReliabilityConfigStore, ReliabilityTestStore } from './reliability-stores.js';

export interface ReliabilityModule extends EngineModule {
  /** Reliability tests: the six standard configurations, runs of real test-tagged handoffs, results. */
  service: ReliabilityService;
}

/**
 * Reliability tests against the engine itself. Its fault injectors are made before the kernel (which
 * consults them before every attempt of a test's handoffs) and handed in here.
 */
export function wireReliability(
  kernel: Kernel<{ kind: string }>,
  stores: { reliabilityConfigs: ReliabilityConfigStore; reliabilityTests: ReliabilityTestStore },
  agents: AgentService,
  faults: FaultInjectors,
): ReliabilityModule {
  const { clock, random, logger } = kernel.base;
  const service = new ReliabilityService({
    configs: stores.reliabilityConfigs,
    tests: stores.reliabilityTests,
    handoffs: kernel.handoffs,
    agents,
    procedures: kernel.procedures,
    faults,
    clock,
    random,
    logger,
  });
  return {
    name: 'reliability',
    service,
    async start() {
      await service.seedDefaults();
      // Before any handoff resumes (the kernel takes due work after the modules started): the
      // handoffs of an interrupted test are cancelled, not run on.
      const interrupted = await service.recoverInterrupted(kernel.base.stores.sharing === 'exclusive');
      if (interrupted > 0) logger.info({ interrupted }, 'reliability tests interrupted by the last stop were ended');
      return () => service.stop();
    },
  };
}
