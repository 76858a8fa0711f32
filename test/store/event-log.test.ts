import { describe, expect, it } from 'vitest';
import type { Collection, Database, StoredDocument } from '../../src/store/collection.js';
import { EventLog } from '../../src/store/event-log.js';
import { MingoDatabase } from './mingo-database.js';

/**
 * The event log over a server whose reads by id are separate point reads (FerretDB): a read can miss an
 * event whose append was under way while a later read found the next one. The log must not answer
 * with that hole.
 */
describe('EventLog.between', () => {
  it('reads again an event missed before one that was found', async () => {
    const mingo = new MingoDatabase();
    let missOnce = 'h1#000000000002';
    const database = {
      collection: async <T extends StoredDocument>(name: string): Promise<Collection<T>> => {
        const inner = await mingo.collection<T>(name);
        return new Proxy(inner, {
          get(target, property, receiver) {
            if (property !== 'find') return Reflect.get(target, property, receiver);
            return async (...args: Parameters<Collection<T>['find']>) => {
              const docs = await target.find(...args);
              const missed = docs.filter((doc) => doc._id !== missOnce);
              missOnce = '';
              return missed;
            };
          },
        });
      },
    } as unknown as Database;
    const log = await EventLog.open<{ type: string }>(database, 'handoff');
    await log.write([1, 2, 3, 4].map((seq) => ({ owner: 'h1', seq, at: seq, body: { type: `e${seq}` } })));
    const events = await log.between('h1', 0, 4);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
  });
});
