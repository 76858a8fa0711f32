import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { FanoutWriter } from '../../src/http/fanout-writer.js';
import { NextFrames } from '../../src/http/next-frames.js';
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

function fakes(maxQueuedBytes = 1024 * 1024) {
  // A clock that never moves: every sweep looks instant, so none is paced (the pacing is not what these tests are about).
  const writer = new FanoutWriter(maxQueuedBytes, () => 0);
  const frames = new NextFrames();
  const open = (tcp: FakeTcp, id: string) => {
    const socket = { OPEN: 1, readyState: 1, close: vi.fn(), terminate: vi.fn() };
    const channel = nextMessageChannel(socket as unknown as WebSocket, tcp as unknown as Socket, id, frames, writer, {
      warn: vi.fn(),
    });
    return { socket, channel };
  };
  return { writer, open };
}

describe('next message channel', () => {
  it('writes the operation frames of a turn to its socket in order, in one write', async () => {
    const { open } = fakes();
    const tcp = new FakeTcp();
    const { socket, channel } = open(tcp, '7');
    channel.sendNext('{"data":{"x":1}}', 'h#1');
    channel.sendNext('{"data":{"x":2}}', 'h#2');
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
    slow.channel.sendNext('{"data":1}', 'h#1');
    fast.channel.sendNext('{"data":1}', 'h#1');
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
      const { socket, channel } = open(tcp, '7');
      channel.sendNext('{"data":{"x":1}}', 'h#1');
      await turn();
      tcp.writableLength = 1024 * 1024; // the client stops reading
      channel.sendNext('{"data":{"x":2}}', 'h#2');
      await turn();
      for (let seq = 3; socket.close.mock.calls.length === 0; seq++) channel.sendNext('{"data":{"x":0}}', `h#${seq}`);
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
    const { channel } = open(tcp, '7');
    channel.sendNext('{"data":1}', null);
    writer.flush(tcp as unknown as Socket);
    expect(tcp.texts()).toHaveLength(1);
    channel.sendNext('{"data":2}', null);
    writer.discard(tcp as unknown as Socket);
    await turn();
    expect(tcp.texts()).toHaveLength(1);
  });

  it('drops frames still waiting for an operation the client completed, not those of its other operations', async () => {
    const { open } = fakes();
    const tcp = new FakeTcp();
    const done = open(tcp, 'done');
    const live = open(tcp, 'live');
    done.channel.sendNext('{"data":1}', null);
    live.channel.sendNext('{"data":1}', null);
    done.channel.close();
    await turn();
    expect(tcp.texts()).toEqual(['{"id":"live","type":"next","payload":{"data":1}}']);
  });

  it('sends nothing on a socket that is no longer open', async () => {
    const { open } = fakes();
    const tcp = new FakeTcp();
    const { socket, channel } = open(tcp, '7');
    socket.readyState = 2;
    channel.sendNext('{"data":null}', null);
    await turn();
    expect(tcp.written).toHaveLength(0);
  });
});
