import { createSchema, createYoga } from 'graphql-yoga';

/** The query the throughput benchmark sends: one handoff with its steps. */
export const HANDOFF_QUERY = `query Handoff($id: ID!) { handoff(id: $id) { id handoffId status procedureVersion createdAt finishedAt
  steps { id name kind status attempts startedAt finishedAt error output } } }`;

/**
 * The reference: Yoga with its defaults and a schema of the same shape, answering `handoff` from a
 * constant. `withoutBodyLimit` turns off Yoga's own body limit, as the server does (it caps bodies
 * in front of Yoga instead): the stricter reference, Yoga's ceiling on the same request path.
 */
export function bareYoga(constant: unknown, options: { withoutBodyLimit?: boolean } = {}) {
  return createYoga({
    logging: false,
    ...(options.withoutBodyLimit ? { maxRequestBodySize: false as const } : {}),
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        scalar JSON
        type HandoffStep { id: String! name: String! kind: String! status: String! attempts: Int! startedAt: String finishedAt: String error: String output: JSON }
        type Handoff { id: ID! handoffId: String! status: String! procedureVersion: Int! createdAt: String! finishedAt: String steps: [HandoffStep!]! }
        type Query { handoff(id: ID!): Handoff }
      `,
      resolvers: { Query: { handoff: () => constant } },
    }),
  });
}
