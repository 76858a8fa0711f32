import { parse } from 'graphql';
import { execute } from '@graphql-tools/executor';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { startBenchServer } from './app.js';
import { NOOP_PROCEDURE_ID, finalEvents } from './engine-harness.js';
import { HANDOFF_QUERY } from './bare-yoga.js';
import { schema } from '../../src/resolvers/index.js';
import { createLoaders } from '../../src/resolvers/loaders.js';
import { createRequestScope } from '../../src/http/request-scope.js';
const server = await startBenchServer();
const finished = finalEvents(server.app.engine, 1);
await server.app.engine.handoffs.initiate({ handoffId: 'q1', procedureId: NOOP_PROCEDURE_ID, sourceAgent: 'a', targetAgent: 'b' });
await finished.done;
const answer = await server.gql(HANDOFF_QUERY, { id: 'q1' });
const constant = (answer.data as any).handoff;
const bare = makeExecutableSchema({ typeDefs: `
        scalar JSON
        type HandoffStep { id: String! name: String! kind: String! status: String! attempts: Int! startedAt: String finishedAt: String error: String output: JSON }
        type Handoff { id: ID! handoffId: String! status: String! procedureVersion: Int! createdAt: String! finishedAt: String steps: [HandoffStep!]! }
        type Query { handoff(id: ID!): Handoff }`, resolvers: { Query: { handoff: () => constant } } });
const document = parse(HANDOFF_QUERY);
const engine = server.app.engine;
const scopeBase = (server.app as any).logger;
async function loop(which: 'app' | 'bare', n: number) {
  const t = performance.now();
  for (let i = 0; i < n; i += 16) {
    const batch = [];
    for (let j = 0; j < 16; j++) {
      if (which === 'app') batch.push(execute({ schema, document, variableValues: { id: 'q1' }, contextValue: { engine, loaders: createLoaders(engine), caller: { role: 'admin', name: 'anonymous' }, scope: createRequestScope(null as any, 'x'), transport: 'http' } }));
      else batch.push(execute({ schema: bare, document, variableValues: { id: 'q1' }, contextValue: {} }));
    }
    await Promise.all(batch);
  }
  return (performance.now() - t) * 1000 / n;
}
for (let r = 0; r < 5; r++) console.log('app', (await loop('app', 20000)).toFixed(1), 'us/op', process.env.ONLY_APP ? '' : (await loop('bare', 20000)).toFixed(1));
await server.close();
