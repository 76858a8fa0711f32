import { AgentCard } from '@a2a-js/sdk';
import type { Procedure } from '../../engine/kernel/procedures/procedure.js';

export interface HandoffCardSettings {
  /** Where clients reach us, e.g. https://handoff.example.com (A2A_PUBLIC_URL, or the request's own host). */
  baseUrl: string;
  /** Where the JSON-RPC endpoint is, under baseUrl. */
  endpointPath: string;
  /** Keys are configured: the card says a Bearer key is required. */
  keysRequired: boolean;
  /** The request presented no valid key (of a server with keys): the card lists no skills, as introspection is refused. */
  skillsHidden: boolean;
}

function skillOf(procedure: Procedure) {
  const steps = procedure.steps.map((step) => step.name).join(', ');
  return {
    id: procedure.id,
    name: procedure.name,
    description: `${procedure.description || procedure.name}${steps ? ` Steps: ${steps}.` : ''}`,
    tags: ['handoff', ...new Set(procedure.steps.map((step) => step.kind))],
    examples: [],
    inputModes: ['application/json', 'text/plain'],
    outputModes: ['application/json'],
    securityRequirements: [],
  };
}

/**
 * The server as an A2A agent: one skill per procedure (its id is the skillId a message names), one
 * JSON-RPC interface speaking A2A 1.0 (the 0.3 method names are accepted there too), streaming, no
 * push notifications; with API keys configured, a Bearer key (the same keys as GraphQL) is required,
 * and only a request that presents one sees the skills (the procedures are as private as the schema).
 * Served as the protocol's JSON (AgentCard.toJSON).
 */
export function handoffAgentCard(settings: HandoffCardSettings, procedures: readonly Procedure[]): AgentCard {
  const bearer = {
    scheme: {
      $case: 'httpAuthSecurityScheme' as const,
      value: { description: 'An API key of the server (API_KEYS), as for GraphQL', scheme: 'Bearer', bearerFormat: '' },
    },
  };
  return AgentCard.fromJSON(
    AgentCard.toJSON({
      name: 'Handoff',
      description: `Runs durable, validated handoffs between agents. Each skill is a procedure: send a message naming it in metadata.skillId, with the context to hand over as a data part; the task is the handoff.${settings.skillsHidden ? ' Present an API key (Authorization: Bearer) to see the skills.' : ''}`,
      supportedInterfaces: [
        {
          url: `${settings.baseUrl}${settings.endpointPath}`,
          protocolBinding: 'JSONRPC',
          tenant: '',
          protocolVersion: '1.0',
        },
      ],
      provider: { organization: 'Handoff', url: settings.baseUrl },
      version: '1.0.0',
      documentationUrl: undefined,
      capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
      securitySchemes: settings.keysRequired ? { apiKey: bearer } : {},
      securityRequirements: settings.keysRequired ? [{ schemes: { apiKey: { list: [] } } }] : [],
      defaultInputModes: ['application/json', 'text/plain'],
      defaultOutputModes: ['application/json', 'text/plain'],
      skills: settings.skillsHidden ? [] : procedures.map(skillOf),
      signatures: [],
      iconUrl: undefined,
    }),
  );
}
