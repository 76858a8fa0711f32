import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { nextFrameLength, nextMessageHead, writeNextFrame } from '../../src/http/next-frames.js';

/** One frame, as the fan-out writer builds it. */
class TestFrames {
  frame(head: Buffer, payload: string): Buffer {
    const bytes = Buffer.from(payload, 'utf8');
    const frame = Buffer.alloc(nextFrameLength(head, bytes));
    expect(writeNextFrame(frame, 0, head, bytes)).toBe(frame.length);
    return frame;
  }
}

// ws's frame parser (what client libraries run); its type definitions do not declare it.
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean }) => Writable;
};

/** Decodes frames with ws's own parser. */
function decode(frame: Buffer): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    messages.push(String(data));
  });
  receiver.write(frame);
  return messages;
}

describe('server text frames', () => {
  // Around each length-field boundary (7 bits, 16 bits, 64 bits); a frame is head + payload + "}".
  it.each([1, 5, 125, 126, 1_000, 65_535, 65_536, 200_000])('encodes a %i-byte message so ws reads it back', (size) => {
    const body = 'é'.repeat(Math.floor((size - 1) / 2)) + 'x'.repeat((size - 1) % 2); // two bytes per é: lengths are in bytes
    const frame = new TestFrames().frame(Buffer.alloc(0), body);
    expect(Buffer.byteLength(`${body}}`)).toBe(size);
    expect(decode(frame)).toEqual([`${body}}`]);
  });

  it('frames next messages of any operation id around a payload encoded once per event', () => {
    const frames = new TestFrames();
    const payload = JSON.stringify({ data: { handoffEvents: { seq: 1, note: 'ünïcode' } } });
    const first = frames.frame(nextMessageHead('1'), payload);
    expect(JSON.parse(decode(first)[0])).toEqual({
      id: '1',
      type: 'next',
      payload: { data: { handoffEvents: { seq: 1, note: 'ünïcode' } } },
    });
    const uuid = '0b8e0a3c-7f1e-4a57-9b7e-1f6f9a4c2d11';
    expect(JSON.parse(decode(frames.frame(nextMessageHead(uuid), payload))[0]).id).toBe(uuid);
    expect(JSON.parse(decode(frames.frame(nextMessageHead('a"b'), payload))[0]).id).toBe('a"b');
    const next = JSON.stringify({ data: { handoffEvents: { seq: 2 } } });
    expect(JSON.parse(decode(frames.frame(nextMessageHead('1'), next))[0]).payload.data.handoffEvents.seq).toBe(2);
    const large = JSON.stringify({ data: { blob: 'x'.repeat(70_000) } });
    expect(JSON.parse(decode(frames.frame(nextMessageHead('1'), large))[0]).payload.data.blob).toHaveLength(70_000);
  });
});
