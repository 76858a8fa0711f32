import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { GraphQLError } from 'graphql';
import type { GraphQLContext, Role } from '../context.js';

/** An agent key ranks below every role: it reaches only what names its own agent (the scopes below). */
const RANK: Record<Role, number> = { agent: 0, viewer: 1, operator: 2, admin: 3 };

function atLeast(context: GraphQLContext, role: Role): boolean {
  return context.caller !== null && RANK[context.caller.role] >= RANK[role];
}

/** The one Pothos builder; each type family imports it and defines itself. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: {
    viewer: boolean;
    operator: boolean;
    admin: boolean;
    /** Any agent key: the engine then checks the work is its agent's own (tasks, signals). */
    agent: boolean;
    /** An agent key bound to this agent id. */
    actingAgent: string;
  };
  DefaultFieldNullability: false;
  Scalars: {
    // Resolvers return a Date or epoch ms; the scalar sends an RFC 3339 string (see scalars.ts).
    DateTime: { Input: Date; Output: Date | number | string };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string };
  };
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin, DataloaderPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      viewer: atLeast(context, 'viewer'),
      operator: atLeast(context, 'operator'),
      admin: atLeast(context, 'admin'),
      agent: context.caller?.role === 'agent',
      actingAgent: (agentId: string) => context.caller?.role === 'agent' && context.caller.agentId === agentId,
    }),
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, context) =>
      new GraphQLError(context.caller ? 'Your API key does not allow this operation' : 'An API key is required', {
        extensions: { code: context.caller ? 'FORBIDDEN' : 'UNAUTHENTICATED' },
      }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: {
      authScopes: { viewer: true },
      description: 'Any object by its global id (the `id` field of a Handoff, Procedure, Agent, …); null when unknown.',
      args: { id: { description: 'A global id.' } },
    },
    nodesQueryOptions: {
      authScopes: { viewer: true },
      description: 'Several objects by global id, in the order asked; null for each unknown id.',
      args: { ids: { description: 'Global ids.' } },
    },
    nodeTypeOptions: { description: 'An object that can be fetched again by its global id with `node(id:)`.' },
    idFieldOptions: { description: 'Global id: pass it to `node(id:)`, or to the matching single-object query.' },
    pageInfoTypeOptions: { description: 'Where a page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'True when more items follow: ask again with `after: endCursor`.' },
    hasPreviousPageFieldOptions: { description: 'True when this page was asked for with `after`.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page; null when empty.' },
    endCursorFieldOptions: {
      description: 'Cursor of the last item of the page: pass it as `after` for the next page.',
    },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.' },
    pageInfoFieldOptions: { description: 'Paging state.' },
    cursorFieldOptions: { description: 'Opaque position of this item; pass it as `after` to continue from here.' },
    nodeFieldOptions: { description: 'The item.' },
  },
});

builder.queryType({ description: 'Read handoffs, procedures, agents, validation, reliability tests and metrics.' });
builder.mutationType({
  description: 'Start, steer and define work. Every mutation returns a payload with `userErrors`.',
});
