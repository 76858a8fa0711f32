import { expect } from 'vitest';
import type { GraphQLApi } from './server.js';

export const REGISTER = `mutation ($input: RegisterAgentInput!) { registerAgent(input: $input) { agent { id status } userErrors { message code } } }`;
export const START = `mutation ($input: StartValidationSessionInput!) {
  startValidationSession(input: $input) { session { id sessionId status } userErrors { field message code } } }`;
export const SESSION = `query ($id: ID!) { validationSession(id: $id) { id sessionId status outcome durationMs startedAt finishedAt ruleIds
  results { rule { id severity } ruleId ruleName severity status message detail durationMs seq } } }`;
export const CREATE_RULE = `mutation ($input: CreateValidationRuleInput!) {
  createValidationRule(input: $input) { rule { id name severity condition enabled } userErrors { field message code } } }`;
export const PROGRESS = `subscription ($id: ID!) { validationProgress(id: $id) { sessionId seq ruleId status message outcome at } }`;

/** Context that satisfies VR001–VR003 (the gates of PHASE_TRANSITION_STANDARD). */
export function goodContext(overrides: Record<string, unknown> = {}) {
  return {
    phaseComplete: true,
    resources: [
      { name: 'database', available: true },
      { name: 'queue', available: true },
    ],
    sourceStateChecksum: 'sha256:abc',
    targetStateChecksum: 'sha256:abc',
    ...overrides,
  };
}

/** Registers agent_1 (may send) and agent_2 (may receive), both READY. */
export async function registerPair(server: GraphQLApi) {
  for (const [id, permissions] of [
    ['agent_1', ['handoff:send']],
    ['agent_2', ['handoff:receive']],
  ] as const) {
    const response = await server.gql(REGISTER, { input: { id, capabilities: ['planning'], permissions } });
    expect(response.errors).toBeUndefined();
    expect(response.data.registerAgent).toMatchObject({ agent: { status: 'READY' }, userErrors: [] });
  }
}

/**
 * Starts a session, follows its validationProgress stream to the outcome event (the stream ends
 * there), then reads the completed session back.
 */
export async function runSession(
  server: GraphQLApi,
  input: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const started = await server.gql(START, { input }, headers);
  expect(started.errors).toBeUndefined();
  expect(started.data.startValidationSession.userErrors).toEqual([]);
  const id = started.data.startValidationSession.session.id;
  const events = await server.subscribe(PROGRESS, { id }, headers);
  expect(events.at(-1)?.data?.validationProgress.outcome).toBeTruthy();
  const read = await server.gql(SESSION, { id }, headers);
  expect(read.errors).toBeUndefined();
  expect(read.data.validationSession.status).toBe('COMPLETED');
  return read.data.validationSession;
}

export function resultOf(session: any, ruleId: string) {
  return session.results.find((r: any) => r.ruleId === ruleId);
}
