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
}

/**
 * Follows a handoff over graphql-ws from its first event to its final one. When the server dies
 * the subscriber reconnects and resumes after the last seq it has, as a client is told to.
 */
export async function follow(wsUrl: string, handoffId: string, deadline: Deadline): Promise<Stream> {
  const stream: Stream = { handoffId, seqs: [], lastType: null, connections: 0 };
  for (let wait = 25; stream.lastType === null || !FINAL.has(stream.lastType); wait = Math.min(wait * 2, 500)) {
    deadline.check(`the stream of ${handoffId}`);
    stream.connections++;
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query: PROGRESS, variables: { id: handoffId, after: stream.seqs.at(-1) ?? 0 } },
        {
          next: (result: any) => {
            const event = result.data?.handoffProgress;
            if (!event) return;
            stream.seqs.push(event.seq);
            stream.lastType = event.type;
          },
          error: () => resolve(),
          complete: () => resolve(),
        },
      );
    });
    await client.dispose();
    if (stream.lastType === null || !FINAL.has(stream.lastType)) await sleep(wait);
  }
  return stream;
}
