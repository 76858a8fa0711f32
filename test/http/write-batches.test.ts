import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WriteBatches } from '../../src/http/write-batches.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((close) => close()));

async function socketPair(): Promise<{ writer: net.Socket; reader: net.Socket }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const writer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [reader] = (await accepted) as [net.Socket];
  await once(writer, 'connect');
  cleanup.push(() => {
    writer.destroy();
    reader.destroy();
    server.close();
  });
  return { writer, reader };
}

describe('WriteBatches', () => {
  it('holds a turn of writes to each socket and lets them go in one write at its end', async () => {
    const a = await socketPair();
    const b = await socketPair();
    const batches = new WriteBatches();
    const chunks = (reader: net.Socket) => {
      const seen: string[] = [];
      reader.on('data', (chunk: Buffer) => seen.push(String(chunk)));
      return seen;
    };
    // net.Socket hands a corked socket's chunks to _writev in one call: one system call per socket.
    const writevA = vi.spyOn(a.writer as unknown as { _writev: (...args: unknown[]) => void }, '_writev');
    const writeA = vi.spyOn(a.writer as unknown as { _write: (...args: unknown[]) => void }, '_write');
    const seenA = chunks(a.reader);
    const seenB = chunks(b.reader);
    for (const text of ['one', 'two', 'three']) {
      batches.hold(a.writer);
      a.writer.write(text);
      batches.hold(b.writer);
      b.writer.write(text.toUpperCase());
    }
    expect(a.writer.writableCorked).toBe(1);
    expect(b.writer.writableCorked).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.writer.writableCorked).toBe(0);
    expect(b.writer.writableCorked).toBe(0);
    expect(writevA).toHaveBeenCalledTimes(1);
    expect(writeA).not.toHaveBeenCalled();
    while (seenA.join('').length < 11 || seenB.join('').length < 11)
      await once(seenA.join('').length < 11 ? a.reader : b.reader, 'data');
    expect(seenA.join('')).toBe('onetwothree');
    expect(seenB.join('')).toBe('ONETWOTHREE');
  });

  it('leaves a destroyed socket alone', async () => {
    const { writer } = await socketPair();
    writer.destroy();
    new WriteBatches().hold(writer);
    expect(writer.writableCorked).toBe(0);
  });
});
