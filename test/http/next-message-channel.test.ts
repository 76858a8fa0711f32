import type { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { NextFrames } from '../../src/http/next-frames.js';
import {
  nextMessageChannel,
  SLOW_SUBSCRIBER_BYTES,
  SLOW_SUBSCRIBER_CLOSE_CODE,
} from '../../src/http/next-message-channel.js';
import { WriteBatches } from '../../src/http/write-batches.js';

function fakes(writableLength: number, readyState = 1) {
  const written: Buffer[] = [];
  const tcp = {
    writableLength,
    destroyed: false,
    cork: vi.fn(),
    uncork: vi.fn(),
    write: (chunk: Buffer) => written.push(chunk),
  };
  const socket = { OPEN: 1, readyState, close: vi.fn(), terminate: vi.fn() };
  const channel = nextMessageChannel(
    socket as unknown as WebSocket,
    tcp as unknown as Socket,
    '7',
    new NextFrames(),
    new WriteBatches(),
  );
  return { written, socket, channel };
}

describe('next message channel', () => {
  it('writes the frame of the operation to a reading subscriber', () => {
    const { written, socket, channel } = fakes(0);
    channel.sendNext('{"data":{"x":1}}');
    expect(written).toHaveLength(1);
    expect(String(written[0].subarray(2))).toBe('{"id":"7","type":"next","payload":{"data":{"x":1}}}');
    expect(socket.close).not.toHaveBeenCalled();
  });

  it('closes a subscriber that has stopped reading instead of buffering more for it', () => {
    vi.useFakeTimers();
    try {
      const { written, socket, channel } = fakes(SLOW_SUBSCRIBER_BYTES + 1);
      channel.sendNext('{"data":{"x":1}}');
      expect(written).toHaveLength(0);
      expect(socket.close).toHaveBeenCalledWith(SLOW_SUBSCRIBER_CLOSE_CODE, 'Subscriber too slow');
      vi.advanceTimersByTime(1_000);
      expect(socket.terminate).toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends nothing on a socket that is no longer open', () => {
    const { written, channel } = fakes(0, 2);
    channel.sendNext('{"data":null}');
    expect(written).toHaveLength(0);
  });
});
