import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { FanoutWriter } from '../../src/http/fanout-writer.js';
import { nextMessageChannel, SLOW_SUBSCRIBER_CLOSE_CODE } from '../../src/http/next-message-channel.js';

/** A TCP socket that records what is written; `writableLength` is what its client has not read. */
class FakeTcp extends EventEmitter {
  writableLength = 0;
  destroyed = false;
  readonly written: Buffer[] = [];
  write(chunk: Buffer): boolean {
    this.written.push(chunk);
    return true;
  }
  /** The text of each frame written, in order (every frame here is short: a 2-byte header). */
  texts(): string[] {
    const texts: string[] = [];
    const all = Buffer.concat(this.written);
    for (let at = 0; at < all.length; ) {
      const length = all[at + 1] === 126 ? all.readUInt16BE(at + 2) : all[at + 1];
      const start = at + (all[at + 1] === 126 ? 4 : 2);
      texts.push(String(all.subarray(start, start + length)));
      at = start + length;
    }
    return texts;
  }
}

function fakes(maxQueuedBytes = 1024 * 1024, now: () => number = () => 0) {
  // By default a clock that never moves: every pass looks instant and runs in one slice (slicing is tested on its own).
  const writer = new FanoutWriter(maxQueuedBytes, now);
  /** Operation `id` on `tcp`, reading `broadcast` (its own one unless given); `send` publishes on that broadcast. */
  const open = (tcp: FakeTcp, id: string, broadcast = writer.broadcast()) => {
    const socket = { OPEN: 1, readyState: 1, close: vi.fn(), terminate: vi.fn() };
    const channel = nextMessageChannel(
      socket as unknown as WebSocket,
      tcp as unknown as Socket,
      id,
      broadcast,
      writer,
      {
        warn: vi.fn(),
      },
    );
    const send = (payload: string, mark: string | null) => broadcast.send(payload, mark);
    return { socket, channel, send };
  };
  return { writer, open };
}

describe('next message channel', () => {
  it('writes the operation frames of a turn to its socket in order, in one write', async () => {
    const { open } = fakes();
    const tcp = new FakeTcp();
    const { socket, send } = open(tcp, '7');
    send('{"data":{"x":1}}', 'h#1');
    send('{"data":{"x":2}}', 'h#2');
    expect(tcp.written).toHaveLength(0);
    await turn();
    expect(tcp.written).toHaveLength(1);
    expect(tcp.texts()).toEqual([
      '{"id":"7","type":"next","payload":{"data":{"x":1}}}',
      '{"id":"7","type":"next","payload":{"data":{"x":2}}}',
    ]);
    expect(socket.close).not.toHaveBeenCalled();
  });

  it('holds frames for a socket that is not reading, without holding back the others', async () => {
    const { open } = fakes();
    const stalled = new FakeTcp();
    const reading = new FakeTcp();
    const slow = open(stalled, 'slow');
    const fast = open(reading, 'fast');
    stalled.writableLength = 1024 * 1024;
    slow.send('{"data":1}', 'h#1');
    fast.send('{"data":1}', 'h#1');
    await turn();
    expect(reading.texts()).toHaveLength(1);
    expect(stalled.written).toHaveLength(0);

    stalled.writableLength = 0;
    stalled.emit('drain');
    await turn();
    expect(stalled.texts()).toEqual(['{"id":"slow","type":"next","payload":{"data":1}}']);
  });

  it('closes a subscriber whose unsent frames pass the bound, naming the last event it was sent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const { open } = fakes(200);
      const tcp = new FakeTcp();
      const { socket, send } = open(tcp, '7');
      send('{"data":{"x":1}}', 'h#1');
      await turn();
      tcp.writableLength = 1024 * 1024; // the client stops reading
      send('{"data":{"x":2}}', 'h#2');
      await turn();
      for (let seq = 3; socket.close.mock.calls.length === 0; seq++) send('{"data":{"x":0}}', `h#${seq}`);
      expect(socket.close).toHaveBeenCalledWith(
        SLOW_SUBSCRIBER_CLOSE_CODE,
        'Subscriber too slow; last event sent: h#1',
      );
      expect(tcp.texts()).toHaveLength(1);
      vi.advanceTimersByTime(10_000);
      expect(socket.terminate).toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes queued frames before a message of the protocol (flush), and nothing once discarded', async () => {
    const { open, writer } = fakes();
    const tcp = new FakeTcp();
    const { send } = open(tcp, '7');
    send('{"data":1}', null);
    writer.flush(tcp as unknown as Socket);
    expect(tcp.texts()).toHaveLength(1);
    send('{"data":2}', null);
    writer.discard(tcp as unknown as Socket);
    await turn();
    expect(tcp.texts()).toHaveLength(1);
  });

  it('drops frames still waiting for an operation the client completed, not those of its other operations', async () => {
    const { open } = fakes();
    const tcp = new FakeTcp();
    const done = open(tcp, 'done');
    const live = open(tcp, 'live');
    done.send('{"data":1}', null);
    live.send('{"data":1}', null);
    done.channel.close();
    await turn();
    expect(tcp.texts()).toEqual(['{"id":"live","type":"next","payload":{"data":1}}']);
  });

  it('sends nothing on a socket that is no longer open', async () => {
    const { open } = fakes();
    const tcp = new FakeTcp();
    const { socket, send } = open(tcp, '7');
    socket.readyState = 2;
    send('{"data":null}', null);
    await turn();
    expect(tcp.written).toHaveLength(0);
  });

  it('writes one published payload to every socket of a broadcast under its own id, from when it joined', async () => {
    const { writer, open } = fakes();
    const broadcast = writer.broadcast();
    const [early, late] = [new FakeTcp(), new FakeTcp()];
    const first = open(early, 'a', broadcast);
    first.send('{"data":1}', 'h#1');
    open(late, 'b', broadcast);
    first.send('{"data":2}', 'h#2');
    await turn();
    expect(early.texts()).toEqual([
      '{"id":"a","type":"next","payload":{"data":1}}',
      '{"id":"a","type":"next","payload":{"data":2}}',
    ]);
    expect(late.texts()).toEqual(['{"id":"b","type":"next","payload":{"data":2}}']);
    // Written to every reader: the broadcast keeps nothing.
    expect(broadcast.entries).toEqual([]);
  });

  it('writes the frames of several operations on one socket in the order they were published, in one write', async () => {
    const { open } = fakes();
    const tcp = new FakeTcp();
    const one = open(tcp, 'one');
    const two = open(tcp, 'two');
    one.send('{"data":1}', null);
    two.send('{"data":2}', null);
    one.send('{"data":3}', null);
    await turn();
    expect(tcp.written).toHaveLength(1);
    expect(tcp.texts()).toEqual([
      '{"id":"one","type":"next","payload":{"data":1}}',
      '{"id":"two","type":"next","payload":{"data":2}}',
      '{"id":"one","type":"next","payload":{"data":3}}',
    ]);
  });

  it('lets the event loop run during a long pass; what is published meanwhile reaches every socket once, in order', async () => {
    // Every clock reading is 10 ms later: each slice ends at its first check (after 32 sockets).
    let clock = 0;
    const { writer, open } = fakes(1024 * 1024, () => (clock += 10));
    const broadcast = writer.broadcast();
    const sockets = Array.from({ length: 100 }, () => new FakeTcp());
    const [first] = sockets.map((tcp, i) => open(tcp, String(i), broadcast));
    first.send('{"data":1}', null);
    await turn();
    const writtenInFirstSlice = sockets.filter((tcp) => tcp.written.length > 0).length;
    expect(writtenInFirstSlice).toBe(32);
    first.send('{"data":2}', null);
    // Until the pass that wrote the second payload everywhere has ended and dropped it.
    while (broadcast.entries.length > 0) await turn();
    for (const [i, tcp] of sockets.entries()) {
      expect(tcp.texts()).toEqual([
        `{"id":"${i}","type":"next","payload":{"data":1}}`,
        `{"id":"${i}","type":"next","payload":{"data":2}}`,
      ]);
      // Sockets after the pass's position got both in one write; those before it, the second in the next pass.
      expect(tcp.written).toHaveLength(i < writtenInFirstSlice ? 2 : 1);
    }
  });
});
