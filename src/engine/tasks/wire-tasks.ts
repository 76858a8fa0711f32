import type { AgentFeedService } from '../agents/agent-feed-service.js';
import type { EngineModule } from '../kernel/engine-module.js';
import { NOTHING_TO_START } from '../kernel/engine-module.js';
import type { HandoffDependents } from '../kernel/handoff-retention.js';
import type { KernelBase } from '../kernel/kernel-base.js';
import type { DueWork } from '../kernel/scheduler/scheduler.js';
import type { AttemptTracing } from '../kernel/steps/attempt-tracing.js';
import type { StepKindHandlers } from '../kernel/steps/step-kind.js';
import { AgentTaskPerformer } from './agent-task-performer.js';
import { AgentTaskService } from './agent-task-service.js';
import { agentTaskStep } from './agent-task-step.js';
import type { AgentTaskStore } from './agent-task-store.js';
import { type ClaimTokenSource, secureClaimTokens } from './claim-token.js';
import { withdrawTasksOfInterruptedHandoffs } from './interrupted-task-sweep.js';

export interface TasksModule extends EngineModule {
  /** What agents' workers claim, heartbeat, complete and fail. */
  service: AgentTaskService;
  stepKinds: Pick<StepKindHandlers, 'agent_task'>;
  /** Claimed tasks whose worker fell silent past their heartbeat timeout are taken back when that falls due. */
  heartbeats: DueWork;
  /** Tasks go when their handoff is deleted. */
  dependents: HandoffDependents;
}

/** Agent tasks: the agent_task step kind, the service agents' workers use, and heartbeat timeouts as due work. */
export function wireTasks(
  base: KernelBase<unknown>,
  store: AgentTaskStore,
  feed: AgentFeedService,
  claimTokens: ClaimTokenSource = secureClaimTokens,
  tracing: AttemptTracing | null = null,
): TasksModule {
  const { clock, logger, bus, signals } = base;
  const wake = (handoffId: string, name: string, payload: unknown) => signals.wake(handoffId, name, payload);
  const performer = new AgentTaskPerformer({ tasks: store, clock, logger, feed, wake, tracing });
  const service = new AgentTaskService({
    tasks: store,
    wake,
    clock,
    claimTokens,
    feed,
    dueAt: (at) => bus.dueAt.publish(at),
  });
  // For the engine's lifetime: tasks left open by a run that died are taken back when their handoff finishes.
  withdrawTasksOfInterruptedHandoffs(bus.executed, store, feed, clock, logger);
  return {
    name: 'tasks',
    service,
    stepKinds: { agent_task: agentTaskStep(performer) },
    heartbeats: { name: 'agent task heartbeats', run: (now) => performer.expireSilent(now) },
    dependents: store,
    start: NOTHING_TO_START,
  };
}
