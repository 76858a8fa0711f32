import type { Socket } from 'node:net';
import { nextFrameLength, writeNextFrame } from './next-frames.js';

/**
 * Bytes a socket may have in Node's own write buffer before its frames wait in its queue here
 * instead: past this the client is not keeping up, and frames handed to Node could no longer be
 * taken back (see FanoutWriter's overflow).
 */
const WRITE_AHEAD_BYTES = 64 * 1024;

/** A sweep shorter than this is followed by the next as soon as frames wait (the next turn of the event loop). */
const PACING_FROM_MS = 2;

/** Who a queued frame was for, so that what reached the socket is known when its queue is thrown away. */
export interface FrameOwner {
  /** The mark of the last frame of this owner handed to the socket (set as frames are written). */
  written: string | null;
  /** False once its operation is over: frames still waiting for it are not written (the client completed it). */
  open: boolean;
}

interface SocketQueue {
  /** Each waiting `next` message as its operation's head and its payload (shared by every subscriber). */
  heads: Buffer[];
  payloads: Buffer[];
  owners: FrameOwner[];
  marks: (string | null)[];
  bytes: number;
  /** The socket had more than WRITE_AHEAD_BYTES unsent: this queue waits for its 'drain'. */
  waitingForDrain: boolean;
}

/**
 * Writes live subscription frames to many sockets. Frames are queued per socket; a sweep writes
 * every socket with waiting frames, each in one write of everything waiting for it (one system
 * call, which on loopback also runs the receiver's TCP stack: fan-out cost is the count of these
 * calls, not of frames).
 *
 * Pacing: a sweep is followed by a pause as long as it took (none after a short one, see
 * PACING_FROM_MS). With 10,000 subscribers a sweep takes tens of milliseconds; one right after
 * another would write every socket again for each of a handoff's transitions, which arrive a
 * millisecond apart, and keep the engine from running. During the pause the engine runs and its
 * events join the queues, so they leave together in the next sweep: the batch grows with the load,
 * the fan-out takes at most half the process's time, and an event waits at most about two sweeps.
 *
 * A socket whose client does not read (more than WRITE_AHEAD_BYTES unsent in Node) is skipped until
 * it drains, without slowing the others; once more than `maxQueuedBytes` wait for it meanwhile, its
 * queue is dropped and `enqueue` returns false: the caller closes it, and the client learns from
 * each owner's `written` mark where its stream ended.
 */
export class FanoutWriter {
  private readonly queues = new Map<Socket, SocketQueue>();
  /** Sockets with frames to write (not waiting for a drain), in the order they got them. */
  private readonly ready = new Set<Socket>();
  private scheduled = false;
  /** When the next sweep may start: a sweep is followed by a pause as long as it took. */
  private nextSweepAt = 0;

  constructor(
    private readonly maxQueuedBytes: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Queues the `next` message `head` + `payload` + `}` for `tcp` (see writeNextFrame); false when the
   * socket's queue overflowed (and was dropped). The frame is built only when the socket is written.
   */
  enqueue(tcp: Socket, head: Buffer, payload: Buffer, owner: FrameOwner, mark: string | null): boolean {
    if (tcp.destroyed) return false;
    let queue = this.queues.get(tcp);
    if (!queue) {
      queue = { heads: [], payloads: [], owners: [], marks: [], bytes: 0, waitingForDrain: false };
      this.queues.set(tcp, queue);
    }
    queue.heads.push(head);
    queue.payloads.push(payload);
    queue.owners.push(owner);
    queue.marks.push(mark);
    queue.bytes += nextFrameLength(head, payload);
    // Only a socket found not reading can overflow: a burst waiting for its sweep is not a slow client.
    if (queue.waitingForDrain && queue.bytes > this.maxQueuedBytes) {
      this.discard(tcp);
      return false;
    }
    if (!queue.waitingForDrain && !this.ready.has(tcp)) {
      this.ready.add(tcp);
      this.schedule();
    }
    return true;
  }

  /**
   * Writes whatever waits for `tcp` now: call before anything else is written to the socket (a
   * graphql-ws `complete`, a close frame), so it cannot overtake the frames queued before it.
   */
  flush(tcp: Socket): void {
    const queue = this.queues.get(tcp);
    if (!queue || tcp.destroyed) return;
    this.ready.delete(tcp);
    this.write(tcp, queue);
  }

  /** Forgets what waits for `tcp` (it is being closed for falling behind, or is gone). */
  discard(tcp: Socket): void {
    this.queues.delete(tcp);
    this.ready.delete(tcp);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.nextSweepAt - this.now();
    if (wait > 0) setTimeout(this.sweep, wait);
    else setImmediate(this.sweep);
  }

  private readonly sweep = (): void => {
    this.scheduled = false;
    const started = this.now();
    for (const tcp of this.ready) {
      this.ready.delete(tcp);
      const queue = this.queues.get(tcp);
      if (!queue) continue;
      if (tcp.destroyed) this.discard(tcp);
      else if (tcp.writableLength > WRITE_AHEAD_BYTES) this.awaitDrain(tcp, queue);
      else this.write(tcp, queue);
    }
    const ended = this.now();
    this.nextSweepAt = ended - started < PACING_FROM_MS ? 0 : ended + (ended - started);
  };

  private write(tcp: Socket, queue: SocketQueue): void {
    this.queues.delete(tcp);
    const { heads, payloads, owners, marks } = queue;
    let bytes = queue.bytes;
    for (let i = 0; i < owners.length; i++) if (!owners[i].open) bytes -= nextFrameLength(heads[i], payloads[i]);
    if (bytes === 0) return;
    const data = Buffer.allocUnsafe(bytes);
    let offset = 0;
    for (let i = 0; i < heads.length; i++) {
      if (!owners[i].open) continue;
      offset = writeNextFrame(data, offset, heads[i], payloads[i]);
      if (marks[i] !== null) owners[i].written = marks[i];
    }
    tcp.write(data);
  }

  private awaitDrain(tcp: Socket, queue: SocketQueue): void {
    queue.waitingForDrain = true;
    const resume = () => {
      tcp.off('close', forget);
      queue.waitingForDrain = false;
      if (this.queues.get(tcp) !== queue) return;
      this.ready.add(tcp);
      this.schedule();
    };
    const forget = () => {
      tcp.off('drain', resume);
      if (this.queues.get(tcp) === queue) this.discard(tcp);
    };
    tcp.once('drain', resume);
    tcp.once('close', forget);
  }
}
