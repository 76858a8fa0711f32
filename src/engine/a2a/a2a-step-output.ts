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

/** What a state the agent reports means for the attempt: done with an output, failed (how), or not decided yet. */
export type AttemptOutcome =
  | { kind: 'complete'; output: Record<string, unknown> }
  | { kind: 'fail'; code: string; message: string; retryable: boolean; cancelRemote: boolean }
  | null;

/**
 * completed → the artifacts are the output; failed → retryable unless the status message's metadata says
 * `retryable: false`; rejected, canceled → for good (the agent will not, or someone stopped it there);
 * auth-required → for good, and the task is cancelled (no one can authenticate on the user's behalf).
 */
export function attemptOutcomeOf(remote: RemoteTask, agentId: string): AttemptOutcome {
  const fail = (code: string, message: string, retryable: boolean, cancelRemote = false): AttemptOutcome => ({
    kind: 'fail',
    code,
    message,
    retryable,
    cancelRemote,
  });
  switch (remote.state) {
    case 'completed':
      return { kind: 'complete', output: stepOutputOf(remote, agentId) };
    case 'failed':
      return fail('A2A_FAILED', reasonOf(remote), remote.statusMetadata?.retryable !== false);
    case 'rejected':
      return fail('A2A_REJECTED', reasonOf(remote), false);
    case 'canceled':
      return fail('A2A_CANCELED', reasonOf(remote), false);
    case 'auth-required':
      return fail(
        'A2A_AUTH_REQUIRED',
        `the agent asks for credentials the bridge cannot give: ${reasonOf(remote)}`,
        false,
        true,
      );
    default:
      return null;
  }
}
