import type { Socket } from 'node:net';
import { nextFrameLength, writeNextFrame } from './next-frames.js';

/**
 * Bytes a socket may have in Node's own write buffer before the writer stops handing it frames:
 * past this the client is not keeping up, and frames handed to Node could no longer be taken back
 * (see FanoutWriter's overflow).
 */
const WRITE_AHEAD_BYTES = 64 * 1024;

/**
 * How long a pass writes before it lets the event loop run (the engine, HTTP, the sockets' reads).
 * With 10,000 sockets a pass takes 100 ms or more (one write per socket, 10–50 µs each on this
 * project's 2-core VM); in slices, nothing else waits that long, and a handoff's transitions
 * (published a few milliseconds apart) meet the sockets not yet written in this pass.
 */
const SLICE_MS = 4;

/** Sockets written between two readings of the clock. */
const SOCKETS_PER_CLOCK_READING = 32;

/** One published payload; `order` is writer-wide, so a socket with several operations gets them as published. */
interface Entry {
  payload: Buffer;
  mark: string | null;
  order: number;
}

/**
 * A stream of `next` payloads shared by many subscriptions (one shared feed): each payload is
 * published once, in O(1), and written to every subscriber's socket under that subscriber's head.
 */
export class Broadcast {
  /** entries[i] is entry number `first + i`; entries every subscriber has been written are dropped. */
  entries: Entry[] = [];
  first = 0;
  /** The lowest cursor seen in the running pass (what may be dropped once it ends). */
  low = Number.POSITIVE_INFINITY;

  constructor(private readonly writer: FanoutWriter) {}

  /** Number of the next entry to be published. */
  get end(): number {
    return this.first + this.entries.length;
  }

  /** Sends `next` with this payload (JSON text) to every subscriber attached now; `mark` names the event. */
  send(payloadJson: string, mark: string | null): void {
    this.writer.publish(this, Buffer.from(payloadJson, 'utf8'), mark);
  }
}

/** One operation of one socket reading a Broadcast. */
export interface Subscription {
  /** The mark of the last frame of this subscription handed to the socket (set as frames are written). */
  written: string | null;
  /** False once its operation is over: what it has not been written yet is not written (the client completed it). */
  open: boolean;
}

interface Reader extends Subscription {
  broadcast: Broadcast;
  head: Buffer;
  /** Called when its socket's unsent frames pass the bound (for the socket's first open reader only). */
  onOverflow: () => void;
  /** Number of the next entry of `broadcast` to write. */
  cursor: number;
}

interface SocketState {
  tcp: Socket;
  /** Whether frames may still go out (false once the WebSocket is closing: nothing may follow its close frame). */
  isOpen: () => boolean;
  readers: Reader[];
  /** The socket had more than WRITE_AHEAD_BYTES unsent: it is skipped until its 'drain'. */
  waitingForDrain: boolean;
  /** While waiting: bytes of the frames not yet handed to it. */
  queuedBytes: number;
  gone: boolean;
}

/**
 * Writes live subscription frames to many sockets. Publishing is O(1) (an entry appended to its
 * Broadcast); a pass then visits every socket in turn and writes it, in one write, every frame
 * published for it since its last write (one system call, which on loopback also runs the
 * receiver's TCP stack: fan-out cost is the count of these calls, not of frames).
 *
 * A pass runs in slices of SLICE_MS and lets the event loop run between them; entries published
 * meanwhile reach the sockets after the pass's position in the same pass, and the sockets before
 * it in the next pass, which starts when this one ends. The batch per write grows with the load,
 * and an event waits about one pass.
 *
 * A socket whose client does not read (more than WRITE_AHEAD_BYTES unsent in Node) is skipped until
 * it drains, without slowing the others; once more than `maxQueuedBytes` wait for it meanwhile, it
 * is forgotten and the `onOverflow` of its first open subscription called: the caller closes it, and the client learns from each
 * subscription's `written` mark where its stream ended.
 */
export class FanoutWriter {
  private readonly sockets = new Map<Socket, SocketState>();
  /** Every socket with subscriptions, in the order passes visit them. */
  private order: SocketState[] = [];
  private readonly broadcasts = new Set<Broadcast>();
  private readonly waiting = new Set<SocketState>();
  /** Index in `order` of the running pass's next socket, or -1 between passes. */
  private position = -1;
  private scheduled = false;
  /** Entries published so far (their `order`). */
  private published = 0;
  /** `published` when the running pass started: what came later may have missed sockets before its position. */
  private publishedAtPassStart = 0;
  /** A socket drained during the running pass (it may be behind the pass's position). */
  private resumed = false;

  constructor(
    private readonly maxQueuedBytes: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A new stream of payloads for many subscribers. */
  broadcast(): Broadcast {
    return new Broadcast(this);
  }

  /**
   * Subscribes operation `head` on `tcp` to `broadcast`, from its next entry on. `isOpen` tells
   * whether the socket may still be written; `onOverflow` is called when it falls too far behind.
   */
  attach(tcp: Socket, head: Buffer, broadcast: Broadcast, isOpen: () => boolean, onOverflow: () => void): Subscription {
    let state = this.sockets.get(tcp);
    if (!state) {
      state = { tcp, isOpen, readers: [], waitingForDrain: false, queuedBytes: 0, gone: false };
      this.sockets.set(tcp, state);
      this.order.push(state);
    }
    const reader: Reader = { broadcast, head, onOverflow, cursor: broadcast.end, written: null, open: true };
    state.readers.push(reader);
    // A pass under way may have visited this socket already: keep what the reader still needs.
    if (this.position >= 0) broadcast.low = Math.min(broadcast.low, reader.cursor);
    this.broadcasts.add(broadcast);
    return reader;
  }

  /** Appends an entry to `broadcast` and schedules a pass. */
  publish(broadcast: Broadcast, payload: Buffer, mark: string | null): void {
    broadcast.entries.push({ payload, mark, order: this.published++ });
    this.broadcasts.add(broadcast);
    for (const state of this.waiting) {
      for (const reader of state.readers) {
        if (reader.broadcast === broadcast && reader.open) state.queuedBytes += nextFrameLength(reader.head, payload);
      }
      if (state.queuedBytes > this.maxQueuedBytes) this.overflow(state);
    }
    this.schedule();
  }

  /**
   * Writes whatever waits for `tcp` now: call before anything else is written to the socket (a
   * graphql-ws `complete`, a close frame), so it cannot overtake the frames published before it.
   */
  flush(tcp: Socket): void {
    const state = this.sockets.get(tcp);
    if (!state || state.gone || tcp.destroyed) return;
    this.write(state);
    state.queuedBytes = 0;
  }

  /** Forgets `tcp` and what waits for it (it is being closed, or is gone). */
  discard(tcp: Socket): void {
    const state = this.sockets.get(tcp);
    if (state) this.forget(state);
  }

  private forget(state: SocketState): void {
    state.gone = true;
    this.waiting.delete(state);
    if (this.sockets.get(state.tcp) === state) this.sockets.delete(state.tcp);
  }

  private overflow(state: SocketState): void {
    this.forget(state);
    state.readers.find((reader) => reader.open)?.onOverflow();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.slice);
  }

  private readonly slice = (): void => {
    this.scheduled = false;
    if (this.position < 0) {
      this.position = 0;
      this.publishedAtPassStart = this.published;
      this.resumed = false;
    }
    const started = this.now();
    const { order } = this;
    let index = this.position;
    while (index < order.length) {
      this.visit(order[index++]);
      if (index % SOCKETS_PER_CLOCK_READING === 0 && this.now() - started >= SLICE_MS) break;
    }
    if (index < order.length) {
      this.position = index;
      this.schedule();
      return;
    }
    this.position = -1;
    this.endPass();
    if (this.published > this.publishedAtPassStart || this.resumed) this.schedule();
  };

  private visit(state: SocketState): void {
    if (state.gone) return;
    if (state.tcp.destroyed || !state.isOpen()) {
      this.forget(state);
      return;
    }
    if (!state.waitingForDrain) {
      if (state.tcp.writableLength > WRITE_AHEAD_BYTES) this.awaitDrain(state);
      else this.write(state);
    }
    for (const reader of state.readers) {
      if (reader.open) reader.broadcast.low = Math.min(reader.broadcast.low, reader.cursor);
    }
  }

  /** Drops the sockets gone and the entries every remaining reader has been written. */
  private endPass(): void {
    this.order = this.order.filter((state) => !state.gone);
    for (const broadcast of this.broadcasts) {
      const keep = Math.min(broadcast.low, broadcast.end);
      if (keep > broadcast.first) {
        broadcast.entries = broadcast.entries.slice(keep - broadcast.first);
        broadcast.first = keep;
      }
      if (broadcast.low === Number.POSITIVE_INFINITY) this.broadcasts.delete(broadcast);
      broadcast.low = Number.POSITIVE_INFINITY;
    }
  }

  /** Everything published for `state`'s open readers since their last write, in one write. */
  private write(state: SocketState): void {
    if (state.readers.some((reader) => !reader.open)) state.readers = state.readers.filter((reader) => reader.open);
    const { readers } = state;
    if (readers.length === 1) this.writeOne(state.tcp, readers[0]);
    else if (readers.length > 1) this.writeMerged(state.tcp, readers);
  }

  private writeOne(tcp: Socket, reader: Reader): void {
    const { broadcast, head } = reader;
    const from = reader.cursor - broadcast.first;
    const { entries } = broadcast;
    if (from >= entries.length) return;
    let bytes = 0;
    for (let i = from; i < entries.length; i++) bytes += nextFrameLength(head, entries[i].payload);
    const data = Buffer.allocUnsafe(bytes);
    let offset = 0;
    for (let i = from; i < entries.length; i++) {
      offset = writeNextFrame(data, offset, head, entries[i].payload);
      if (entries[i].mark !== null) reader.written = entries[i].mark;
    }
    reader.cursor = broadcast.end;
    tcp.write(data);
  }

  /** Several operations on one socket: their frames in the order they were published. */
  private writeMerged(tcp: Socket, readers: Reader[]): void {
    const frames: [Reader, Entry][] = [];
    for (const reader of readers) {
      const { entries, first } = reader.broadcast;
      for (let i = reader.cursor - first; i < entries.length; i++) frames.push([reader, entries[i]]);
      reader.cursor = reader.broadcast.end;
    }
    if (frames.length === 0) return;
    frames.sort((a, b) => a[1].order - b[1].order);
    let bytes = 0;
    for (const [reader, entry] of frames) bytes += nextFrameLength(reader.head, entry.payload);
    const data = Buffer.allocUnsafe(bytes);
    let offset = 0;
    for (const [reader, entry] of frames) {
      offset = writeNextFrame(data, offset, reader.head, entry.payload);
      if (entry.mark !== null) reader.written = entry.mark;
    }
    tcp.write(data);
  }

  /** Bytes of the frames not yet handed to `state`'s socket. */
  private pendingBytes(state: SocketState): number {
    let bytes = 0;
    for (const reader of state.readers) {
      if (!reader.open) continue;
      const { entries, first } = reader.broadcast;
      for (let i = reader.cursor - first; i < entries.length; i++)
        bytes += nextFrameLength(reader.head, entries[i].payload);
    }
    return bytes;
  }

  private awaitDrain(state: SocketState): void {
    const { tcp } = state;
    state.waitingForDrain = true;
    state.queuedBytes = this.pendingBytes(state);
    this.waiting.add(state);
    const resume = () => {
      tcp.off('close', gone);
      state.waitingForDrain = false;
      this.waiting.delete(state);
      if (state.gone) return;
      this.resumed = true;
      this.schedule();
    };
    const gone = () => {
      tcp.off('drain', resume);
      this.forget(state);
    };
    tcp.once('drain', resume);
    tcp.once('close', gone);
  }
}
