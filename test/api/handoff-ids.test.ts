import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOneStepProcedure, follow, ONE_STEP_PROCEDURE } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;
beforeAll(async () => {
  server = await startTestApp();
  await createOneStepProcedure(server);
});
afterAll(async () => {
  await server.close();
});

const INITIATE = `mutation { initiateHandoff(input: { procedureId: "${ONE_STEP_PROCEDURE}" }) { handoff { handoffId createdAt } userErrors { message } } }`;
/** The milliseconds in a version-7 UUID's first 48 bits. */
const millisOf = (uuid: string) => parseInt(uuid.replace('-', '').slice(0, 12), 16);

it('generates a version-7 UUID handoffId that carries its creation time, so later handoffs sort later', async () => {
  const created: { handoffId: string; createdAt: string }[] = [];
  for (let i = 0; i < 3; i++) {
    const response = await server.gql(INITIATE);
    expect(response.data.initiateHandoff.userErrors).toEqual([]);
    created.push(response.data.initiateHandoff.handoff);
  }
  for (const { handoffId, createdAt } of created) {
    expect(handoffId).toMatch(/^hnd_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(millisOf(handoffId.slice(4))).toBe(Date.parse(createdAt));
  }
  const times = created.map(({ handoffId }) => millisOf(handoffId.slice(4)));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  await Promise.all(created.map(({ handoffId }) => follow(server, handoffId)));
});
