import type { Caller } from '../context.js';
import { builder } from './builder.js';

/** The roles an API key can have, with what each may do (the server enforces them on every field). */
export const ApiKeyRoleEnum = builder.enumType('ApiKeyRole', {
  description:
    "What an API key may do. Each role includes the rights of the roles before it, except AGENT, which reaches only its own agent's work.",
  values: {
    AGENT: { value: 'agent', description: "An agent's key: its own agent's inbox, tasks, feed and handoffs only." },
    VIEWER: { value: 'viewer', description: 'Reads everything; changes nothing.' },
    OPERATOR: {
      value: 'operator',
      description: 'Reads, and runs handoffs: start, cancel, signal, and run reliability tests.',
    },
    ADMIN: {
      value: 'admin',
      description: 'Everything, including procedures, validation rules and test configurations.',
    },
  } as const,
});

export const ViewerRef = builder.objectRef<Caller & { keysRequired: boolean }>('Viewer').implement({
  description:
    'Who the caller is, as the server sees the presented API key: lets a client (the dashboard) show only what the role may do. The server still checks every field.',
  fields: (t) => ({
    keyName: t.exposeString('name', {
      description: 'The API key\'s name ("anonymous" on an open server); never the key itself.',
    }),
    role: t.field({
      type: ApiKeyRoleEnum,
      description: "The key's role (ADMIN on an open server).",
      resolve: (caller) => caller.role,
    }),
    agentId: t.string({
      nullable: true,
      description: 'The agent an AGENT key is bound to; null otherwise.',
      resolve: (caller) => caller.agentId ?? null,
    }),
    keysRequired: t.exposeBoolean('keysRequired', {
      description: 'True when the server has API keys configured (API_KEYS): callers must present one.',
    }),
  }),
});
