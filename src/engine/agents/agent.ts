/** A worker that handoffs move work between: registered, heartbeating, with permissions. */

export const AGENT_STATUSES = ['READY', 'BUSY', 'OFFLINE'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface Agent {
  id: string;
  capabilities: string[];
  /** e.g. "handoff:send", "handoff:receive" (checked by VR007). */
  permissions: string[];
  /** What the agent last said about itself; see `effectiveStatus` for what it reads as. */
  reportedStatus: AgentStatus;
  /** Registration counts as a heartbeat. */
  lastHeartbeatAt: number;
  registeredAt: number;
  updatedAt: number;
}

/**
 * An agent that has not been heard from within the window reads as OFFLINE whatever it
 * last reported: a crashed agent cannot say so itself.
 */
export function effectiveStatus(
  agent: Pick<Agent, 'reportedStatus' | 'lastHeartbeatAt'>,
  now: number,
  windowMs: number,
): AgentStatus {
  return isHeartbeatFresh(agent, now, windowMs) ? agent.reportedStatus : 'OFFLINE';
}

export function isHeartbeatFresh(agent: Pick<Agent, 'lastHeartbeatAt'>, now: number, windowMs: number): boolean {
  return now - agent.lastHeartbeatAt <= windowMs;
}

/** Agent ids are keys other records name: keep them short and printable. */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;
