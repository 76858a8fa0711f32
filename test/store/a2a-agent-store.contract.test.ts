import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { A2AAgentLink } from '../../src/engine/a2a/a2a-agent.js';
import type { A2AAgentStore } from '../../src/engine/a2a/a2a-agent-store.js';
import type { Database } from '../../src/store/collection.js';
import { A2AAgentRepository } from '../../src/store/repositories/a2a-agent-repository.js';
import { type AdapterFixture, adapterFixtures } from './adapters.js';

function link(agentId: string, overrides: Partial<A2AAgentLink> = {}): A2AAgentLink {
  return {
    agentId,
    cardUrl: `http://agents.test/${agentId}/card.json`,
    card: {
      name: agentId,
      description: 'reviews',
      version: '1',
      url: `http://agents.test/${agentId}/a2a`,
      protocolBinding: 'JSONRPC',
      protocolVersion: '1.0',
      streaming: true,
      pushNotifications: false,
      skills: [{ id: 'review', name: 'Review', description: '', tags: ['x'] }],
      // A card is its author's JSON: keys a query language would read as operators or paths stay data.
      raw: { name: agentId, 'dotted.key': { $gt: 1 }, skills: [{ id: 'review' }] },
    },
    registeredAt: 100,
    cardReadAt: 100,
    lastError: null,
    lastErrorAt: null,
    updatedAt: 100,
    ...overrides,
  };
}

/** The A2A agent port on every adapter. */
function a2aAgentContract(fixture: AdapterFixture): void {
  let db: Database;
  let links: A2AAgentStore;

  beforeEach(async () => {
    db = await fixture.open();
    links = await A2AAgentRepository.open(db);
  });

  afterEach(async () => {
    await fixture.dispose(db);
  });

  it('saves a link and reads it back as it was, the card included', async () => {
    await links.save(link('reviewer'));
    expect(await links.get('reviewer')).toEqual(link('reviewer'));
    expect(await links.get('nobody')).toBeNull();
    expect((await links.getMany(['nobody', 'reviewer'])).map((found) => found?.agentId ?? null)).toEqual([
      null,
      'reviewer',
    ]);
  });

  it('replaces a link saved again, lists them oldest registration first, and deletes one', async () => {
    await links.save(link('b', { registeredAt: 200 }));
    await links.save(link('a', { registeredAt: 100 }));
    await links.save(link('b', { registeredAt: 200, lastError: 'no answer', lastErrorAt: 300, updatedAt: 300 }));
    expect((await links.list()).map((found) => [found.agentId, found.lastError])).toEqual([
      ['a', null],
      ['b', 'no answer'],
    ]);
    expect(await links.delete('a')).toBe(true);
    expect(await links.delete('a')).toBe(false);
    expect((await links.list()).map((found) => found.agentId)).toEqual(['b']);
  });
}

for (const fixture of adapterFixtures()) {
  const title = fixture.skipReason
    ? `A2A agent store contract: ${fixture.name} (skipped: ${fixture.skipReason})`
    : `A2A agent store contract: ${fixture.name}`;
  describe.skipIf(fixture.skipReason !== null)(title, () => a2aAgentContract(fixture));
}
