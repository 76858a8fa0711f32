import { describe, expect, it } from 'vitest';
import { AgentService } from '../../src/engine/agents/agent-service.js';
import type { Clock } from '../../src/engine/shared/clock.js';
import { AgentRepository } from '../../src/store/repositories/agent-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';

const WINDOW_MS = 30_000;

async function setup() {
  const clock = {
    t: 1_000_000,
    now() {
      return this.t;
    },
    sleep: async () => undefined,
  } satisfies Clock & { t: number };
  const service = new AgentService(await AgentRepository.open(SqliteDatabase.inMemory()), clock, WINDOW_MS);
  return { clock, service };
}

describe('agent registry', () => {
  it('reads an agent as its reported status while the heartbeat is fresh and OFFLINE after the window', async () => {
    const { clock, service } = await setup();
    const registered = await service.register({ id: 'a1', permissions: ['handoff:send'] });
    expect(registered.ok).toBe(true);
    const agent = (await service.get('a1'))!;
    expect(service.statusOf(agent)).toBe('READY');

    clock.t += WINDOW_MS;
    expect(service.statusOf((await service.get('a1'))!)).toBe('READY'); // exactly at the edge: still fresh
    clock.t += 1;
    expect(service.statusOf((await service.get('a1'))!)).toBe('OFFLINE');

    await service.heartbeat({ id: 'a1', status: 'BUSY' });
    expect(service.statusOf((await service.get('a1'))!)).toBe('BUSY');
  });

  it('gives validation the registry facts, for known and unknown agents', async () => {
    const { clock, service } = await setup();
    await service.register({ id: 'a1', capabilities: ['plan'], permissions: ['handoff:receive'] });
    clock.t += 5_000;
    expect(await service.facts('a1')).toEqual({
      id: 'a1',
      registered: true,
      status: 'READY',
      reportedStatus: 'READY',
      permissions: ['handoff:receive'],
      capabilities: ['plan'],
      heartbeatAgeMs: 5_000,
      heartbeatFresh: true,
    });
    clock.t += WINDOW_MS;
    expect(await service.facts('a1')).toMatchObject({
      status: 'OFFLINE',
      heartbeatFresh: false,
      heartbeatAgeMs: WINDOW_MS + 5_000,
    });
    expect(await service.facts('ghost')).toMatchObject({
      id: 'ghost',
      registered: false,
      status: null,
      heartbeatFresh: false,
      permissions: [],
    });
    expect(await service.facts(null)).toMatchObject({ id: null, registered: false });
  });

  it('re-registering keeps registeredAt and replaces capabilities and permissions', async () => {
    const { clock, service } = await setup();
    const first = await service.register({ id: 'a1', capabilities: ['x'], permissions: ['p', 'p'] });
    clock.t += 10;
    const second = await service.register({ id: 'a1', capabilities: ['y'] });
    if (!first.ok || !second.ok) throw new Error('registration failed');
    expect(first.value.permissions).toEqual(['p']);
    expect(second.value).toMatchObject({
      capabilities: ['y'],
      permissions: [],
      registeredAt: first.value.registeredAt,
      lastHeartbeatAt: clock.t,
    });
  });

  it('filters by effective status: a stale READY agent is listed as OFFLINE', async () => {
    const { clock, service } = await setup();
    await service.register({ id: 'old' });
    clock.t += WINDOW_MS + 1;
    await service.register({ id: 'new' });
    await service.register({ id: 'busy', status: 'BUSY' });
    const ids = async (statuses: ('READY' | 'BUSY' | 'OFFLINE')[]) =>
      (await service.page({ statuses }, { first: 10 })).items.map((item) => item.node.id).sort();
    expect(await ids(['READY'])).toEqual(['new']);
    expect(await ids(['OFFLINE'])).toEqual(['old']);
    expect(await ids(['READY', 'BUSY'])).toEqual(['busy', 'new']);
    expect(await service.count({ statuses: ['OFFLINE'] })).toBe(1);
    expect(await service.count({})).toBe(3);
  });

  it('refuses unknown agents on heartbeat', async () => {
    const { service } = await setup();
    expect(await service.heartbeat({ id: 'nobody' })).toMatchObject({
      ok: false,
      errors: [{ code: 'NOT_FOUND', field: ['input', 'id'] }],
    });
  });
});
