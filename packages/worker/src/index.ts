/**
 * @handoff/worker: an agent's worker for a Handoff server. `createWorker({ url, agent, key, handle })`
 * follows the agent's feed (GraphQL over Server-Sent Events), acknowledges what handoffs deliver,
 * claims the tasks offered to the agent and runs `handle` on each, with heartbeats, and sends its
 * output or failure. No dependencies beyond Node 20.
 */
export { canonicalDigest, canonicalJson } from './canonical-json.js';
export { type FeedPosition, filePosition, memoryPosition, type PositionStore } from './feed-position.js';
export { GraphQLRequestError, UnreachableError } from './graphql-client.js';
export type { Delivery, Task, TaskContext, TaskHandler } from './task.js';
export { TaskFailure } from './task-failure.js';
export { createWorker, type Worker, type WorkerOptions } from './worker.js';
