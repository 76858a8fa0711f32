import type { InitiationCheck } from '../kernel/handoff-service.js';
import type { UserError } from '../shared/user-error.js';
import type { AgentService } from './agent-service.js';

/**
 * Before a handoff starts: a procedure that transfers context needs a registered target agent (its
 * steps deliver into that agent's inbox: a name nobody registered would receive it and the handoff
 * would complete with a target that does not exist), and the agents a procedure requires must be
 * registered. Agents named by other procedures are labels.
 */
export function agentPrerequisites(agents: Pick<AgentService, 'getMany'>): InitiationCheck {
  return async (procedure, input) => {
    const transfers = procedure.steps.some((step) => step.kind === 'transfer_context');
    if (transfers && !input.targetAgent) {
      const message = `${procedure.id} transfers context, so targetAgent is required`;
      return { errors: [{ field: ['input', 'targetAgent'], code: 'MISSING_VALUE', message }], stop: true };
    }
    const errors: UserError[] = [];
    if (transfers && input.targetAgent) {
      const [target] = await agents.getMany([input.targetAgent]);
      if (target === null) {
        errors.push({
          field: ['input', 'targetAgent'],
          code: 'AGENT_NOT_REGISTERED',
          message: `${procedure.id} transfers context to its target, and no agent "${input.targetAgent}" is registered: call registerAgent first`,
        });
      }
    }
    if (procedure.requiredAgents.length > 0) {
      const found = await agents.getMany(procedure.requiredAgents);
      const missing = procedure.requiredAgents.filter((_, index) => found[index] === null);
      if (missing.length > 0) {
        errors.push({
          field: ['input', 'procedureId'],
          code: 'AGENT_NOT_REGISTERED',
          message: `${procedure.id} needs registered agents: ${missing.join(', ')}`,
        });
      }
    }
    return { errors };
  };
}
