import { DEFAULT_RETRY, type Procedure, type StepDefinition } from './procedure.js';

type SeedStep = Omit<StepDefinition, 'retry' | 'validateRules' | 'compensation'> &
  Partial<Pick<StepDefinition, 'retry' | 'validateRules' | 'compensation'>>;

function step(definition: SeedStep): StepDefinition {
  return { retry: DEFAULT_RETRY, validateRules: [], compensation: null, ...definition };
}

/**
 * The seed report's two standard procedures, stored on first start. Their steps use the
 * engine's real kinds: `validate` runs rules, `transfer_context` copies declared context
 * keys to the target agent's inbox (and `revert_context` takes them back).
 */
export function seedProcedures(now: number): Procedure[] {
  const base = { version: 1, dependencies: [], requiredAgents: [], createdAt: now, updatedAt: now };
  return [
    {
      ...base,
      id: 'PHASE_TRANSITION_STANDARD',
      name: 'Standard Phase Transition',
      description:
        'Moves work from one phase to the next: checks the source phase is complete, hands over its resources, synchronises state and validates the result.',
      validationRules: ['VR001', 'VR002', 'VR003'],
      estimatedDurationMs: 165_000,
      requiredContextKeys: [],
      blockingSeverities: ['CRITICAL'],
      steps: [
        step({
          id: 'phase_completion_validation',
          name: 'Phase Completion Validation',
          kind: 'validate',
          params: { rules: ['VR001'] },
          timeoutMs: 30_000,
        }),
        step({
          id: 'resource_handoff',
          name: 'Resource Handoff',
          kind: 'transfer_context',
          params: { keys: ['resources'] },
          timeoutMs: 45_000,
          validateRules: ['VR002'],
          compensation: {
            id: 'resource_rollback',
            name: 'Resource Rollback',
            kind: 'revert_context',
            params: { keys: ['resources'] },
            timeoutMs: 30_000,
          },
        }),
        step({
          id: 'state_synchronization',
          name: 'State Synchronization',
          kind: 'transfer_context',
          params: { keys: ['state', 'sourceStateChecksum', 'targetStateChecksum'] },
          timeoutMs: 60_000,
          compensation: {
            id: 'state_rollback',
            name: 'State Rollback',
            kind: 'revert_context',
            params: { keys: ['state', 'sourceStateChecksum', 'targetStateChecksum'] },
            timeoutMs: 30_000,
          },
        }),
        step({
          id: 'handoff_validation',
          name: 'Handoff Validation',
          kind: 'validate',
          params: { rules: ['VR003', 'VR008'] },
          timeoutMs: 30_000,
        }),
      ],
    },
    {
      ...base,
      id: 'AGENT_HANDOFF_STANDARD',
      name: 'Standard Agent Handoff',
      description:
        'Hands a task from one agent to another: checks the target is ready, transfers the task context and knowledge, then confirms the handoff.',
      validationRules: ['VR004', 'VR005'],
      estimatedDurationMs: 109_800,
      requiredContextKeys: ['task'],
      blockingSeverities: ['CRITICAL'],
      steps: [
        step({
          id: 'agent_readiness_check',
          name: 'Agent Readiness Check',
          kind: 'validate',
          params: { rules: ['VR004', 'VR006'] },
          timeoutMs: 20_000,
        }),
        step({
          id: 'task_context_transfer',
          name: 'Task Context Transfer',
          kind: 'transfer_context',
          params: { keys: ['task'] },
          timeoutMs: 30_000,
          compensation: {
            id: 'context_rollback',
            name: 'Context Rollback',
            kind: 'revert_context',
            params: { keys: ['task', 'knowledge'] },
            timeoutMs: 30_000,
          },
        }),
        step({
          id: 'knowledge_transfer',
          name: 'Knowledge Transfer',
          kind: 'transfer_context',
          params: { keys: ['knowledge'] },
          timeoutMs: 40_000,
        }),
        step({
          id: 'handoff_confirmation',
          name: 'Handoff Confirmation',
          kind: 'validate',
          params: { rules: ['VR005', 'VR007', 'VR008'] },
          timeoutMs: 20_000,
        }),
      ],
    },
  ];
}
