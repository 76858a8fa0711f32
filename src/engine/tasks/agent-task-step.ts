import { nonNegativeNumber, type StepKindHandler } from '../kernel/steps/step-kind.js';
import type { AgentTaskPerformer } from './agent-task-performer.js';

const MAX_HEARTBEAT_TIMEOUT_MS = 24 * 60 * 60 * 1000;

function checkParams(params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (params.assignee !== undefined && params.assignee !== 'target' && params.assignee !== 'source') {
    problems.push('params.assignee must be "target" or "source"');
  }
  if (
    params.agentId !== undefined &&
    (typeof params.agentId !== 'string' || !/^[A-Za-z0-9_.:@-]{1,128}$/.test(params.agentId))
  ) {
    problems.push('params.agentId must be an agent id');
  }
  const heartbeat = params.heartbeatTimeoutMs;
  if (
    heartbeat !== undefined &&
    (nonNegativeNumber(heartbeat) === null ||
      !Number.isInteger(heartbeat) ||
      (heartbeat as number) < 1 ||
      (heartbeat as number) > MAX_HEARTBEAT_TIMEOUT_MS)
  ) {
    problems.push(`params.heartbeatTimeoutMs must be a whole number of milliseconds, 1 to ${MAX_HEARTBEAT_TIMEOUT_MS}`);
  }
  return problems;
}

/**
 * Work the engine does not do itself: each attempt offers a task to an agent (params.agentId, or
 * the handoff's target, or its source with params.assignee "source"), which claims it, may send
 * heartbeats (params.heartbeatTimeoutMs), and completes it with an output (the step's output) or
 * fails it. params.input is handed to the agent as the task's input. The attempt waits for the
 * outcome holding no execution slot.
 */
export function agentTaskStep(performer: AgentTaskPerformer): StepKindHandler {
  return {
    waitingFor: () => 'an agent to claim and complete the task',
    settlesOnAbort: true,
    checkParams,
    run: (execution) => performer.perform(execution),
    abandon: (execution, reason) => performer.abandon(execution, reason),
  };
}
