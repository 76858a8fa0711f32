import { isJsonObject } from '../shared/json-object.js';
import type { AgentTaskQuestion } from '../tasks/agent-task.js';
import { partsData, partsText, type RemotePart, type RemoteTask } from './remote-task.js';

function plainPart(part: RemotePart): Record<string, unknown> {
  return Object.fromEntries(Object.entries(part).filter(([, value]) => value !== undefined));
}

/**
 * A completed A2A task as the step's output: every artifact as the agent sent it, plus `text` (the
 * artifacts' text parts joined) and `data` (their data parts that are JSON objects, merged in order:
 * for the usual one-artifact, one-data-part answer, that object), so later steps and rules can read
 * `output.data.<key>`.
 */
export function stepOutputOf(remote: RemoteTask, agentId: string): Record<string, unknown> {
  const parts = remote.artifacts.flatMap((artifact) => artifact.parts);
  const data: Record<string, unknown> = {};
  for (const value of partsData(parts)) if (isJsonObject(value)) Object.assign(data, value);
  return {
    a2a: { agentId, taskId: remote.id, contextId: remote.contextId },
    text: partsText(parts),
    data,
    artifacts: remote.artifacts.map((artifact) => ({
      artifactId: artifact.artifactId,
      name: artifact.name,
      ...(artifact.description ? { description: artifact.description } : {}),
      parts: artifact.parts.map(plainPart),
    })),
  };
}

/** What an input-required status asks, as an agent task question. */
export function questionOf(remote: RemoteTask): Pick<AgentTaskQuestion, 'text' | 'data'> {
  const data = partsData(remote.statusParts);
  return {
    text: partsText(remote.statusParts) || `Agent task ${remote.id} needs input (input-required)`,
    data: data.length === 0 ? null : data.length === 1 ? data[0] : data,
  };
}

/** Why a failed, rejected or canceled task ended, in the agent's words when it gave any. */
export function reasonOf(remote: RemoteTask): string {
  return partsText(remote.statusParts) || `the A2A task ended ${remote.state}`;
}
