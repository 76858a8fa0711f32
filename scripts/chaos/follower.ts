import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type Deadline, sleep } from './deadline.js';

const PROGRESS = 'subscription($id: ID!, $after: Int) { handoffProgress(id: $id, afterSeq: $after) { seq type } }';
const FINAL = new Set([
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
  'HANDOFF_CANCELLED',
]);

/** What one subscriber received, across every reconnection. */
export interface Stream {
  handoffId: string;
  seqs: number[];
  lastType: string | null;
  /** Connections it took: more than one when a kill cut it off. */
  connections: number;
  /** Error payloads received (a result with `errors` is not an event, but must not pass unseen as a gap). */
  errors: string[];
}

/**
 * Follows a handoff over graphql-ws from its first event to its final one. When the server dies
 * the subscriber reconnects and resumes after the last seq it has, as a client is told to.
 */
export async function follow(wsUrl: string, handoffId: string, deadline: Deadline): Promise<Stream> {
  const stream: Stream = { handoffId, seqs: [], lastType: null, connections: 0, errors: [] };
  for (let wait = 25; stream.lastType === null || !FINAL.has(stream.lastType); wait = Math.min(wait * 2, 500)) {
    deadline.check(`the stream of ${handoffId}`);
    stream.connections++;
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query: PROGRESS, variables: { id: handoffId, after: stream.seqs.at(-1) ?? 0 } },
        {
          next: (result: any) => {
            if (result.errors?.length)
              stream.errors.push(
                `after seq ${stream.seqs.at(-1) ?? 0}: ${result.errors.map((e: { message: string }) => e.message).join('; ')}`,
              );
            const event = result.data?.handoffProgress;
            if (!event) return;
            stream.seqs.push(event.seq);
            stream.lastType = event.type;
          },
          // A connection that ended with an error (the server went away) is reconnected; errors the server sent are kept.
          error: (error: unknown) => {
            if (Array.isArray(error))
              stream.errors.push(`subscription refused: ${error.map((e) => e.message).join('; ')}`);
            resolve();
          },
          complete: () => resolve(),
        },
      );
    });
    await client.dispose();
    if (stream.lastType === null || !FINAL.has(stream.lastType)) await sleep(wait);
  }
  return stream;
}
