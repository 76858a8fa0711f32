import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { GraphQLError } from 'graphql';
import type { GraphQLContext, Role } from './context.js';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

function atLeast(context: GraphQLContext, role: Role): boolean {
  return context.caller !== null && RANK[context.caller.role] >= RANK[role];
}

/** The one Pothos builder; each type family imports it and defines itself. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean };
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | number };
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
    nodeQueryOptions: { authScopes: { viewer: true } },
    nodesQueryOptions: { authScopes: { viewer: true } },
  },
});

builder.queryType({ description: 'Read handoffs, procedures, agents, validation, reliability tests and metrics.' });
builder.mutationType({ description: 'Start, steer and define work. Every mutation returns a payload with `userErrors`.' });
