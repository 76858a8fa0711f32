import type { Handoff } from '../kernel/handoff/handoff.js';
import { type HandoffEvent, isFinalEvent } from '../kernel/handoff/handoff-event.js';
import type { Logger } from '../shared/logger.js';
import type { Topic } from '../shared/topic.js';
import type { AgentFeedDraft } from './agent-feed.js';
import type { AgentFeedRecorder } from './agent-feed-service.js';

interface Parties {
  source: string | null;
  target: string | null;
}

/** Each agent a handoff names, with the side(s) it is on. */
function rolesOf(parties: Parties): Map<string, string> {
  const roles = new Map<string, string>();
  if (parties.source) roles.set(parties.source, 'SOURCE');
  if (parties.target) roles.set(parties.target, roles.has(parties.target) ? 'SOURCE_AND_TARGET' : 'TARGET');
  return roles;
}

export interface HandoffFeedSources {
  /** Handoffs this process created. */
  created: Topic<Handoff>;
  /** Events of the handoffs this process runs. */
  executed: Topic<HandoffEvent>;
  /** Every event this process hears of (for handoffs another process finished). */
  events: Topic<HandoffEvent>;
  get(id: string): Promise<Handoff | null>;
}

/**
 * Tells agents of the handoffs naming them: HANDOFF_ASSIGNED when one is created (by the process
 * that created it), HANDOFF_FINISHED when it reaches a final status (by the process that ran it).
 * The parties of handoffs created here are kept until they finish, so that needs no read; a
 * handoff created elsewhere is read once when it finishes here. Returns stop.
 */
export function recordHandoffsInAgentFeeds(
  sources: HandoffFeedSources,
  feed: AgentFeedRecorder,
  logger: Logger,
): () => void {
  const unfinished = new Map<string, Parties>();
  const tell = (parties: Parties, draft: (role: string) => AgentFeedDraft) => {
    for (const [agent, role] of rolesOf(parties)) void feed.record(agent, [draft(role)]);
  };
  const stops = [
    sources.created.subscribe((handoff) => {
      const parties = { source: handoff.sourceAgent, target: handoff.targetAgent };
      unfinished.set(handoff.id, parties);
      tell(parties, (role) => ({
        type: 'HANDOFF_ASSIGNED',
        handoffId: handoff.id,
        taskId: null,
        step: null,
        message: `handoff ${handoff.id} (${handoff.procedureId}) names you as ${role.toLowerCase().replace(/_/g, ' ')}`,
        data: { role, procedureId: handoff.procedureId, handoffType: handoff.type, priority: handoff.priority },
      }));
    }),
    sources.executed.subscribe((event) => {
      if (!isFinalEvent(event)) return;
      const known = unfinished.get(event.handoffId);
      unfinished.delete(event.handoffId);
      const parties = known
        ? Promise.resolve(known)
        : sources
            .get(event.handoffId)
            .then((h) => ({ source: h?.sourceAgent ?? null, target: h?.targetAgent ?? null }));
      parties
        .then((named) =>
          tell(named, (role) => ({
            type: 'HANDOFF_FINISHED',
            handoffId: event.handoffId,
            taskId: null,
            step: null,
            message: `handoff ${event.handoffId} finished ${event.status}`,
            data: { role, status: event.status },
          })),
        )
        .catch((error) =>
          logger.warn({ handoffId: event.handoffId, err: error }, 'could not tell agents a handoff finished'),
        );
    }),
    // A handoff created here that another process finished: forget it.
    sources.events.subscribe((event) => {
      if (isFinalEvent(event)) unfinished.delete(event.handoffId);
    }),
  ];
  return () => stops.forEach((stop) => stop());
}
