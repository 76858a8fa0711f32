import type { Socket } from 'node:net';

/**
 * Holds writes to many sockets until the end of the current event-loop turn: a socket is corked
 * at its first write, and one flush (setImmediate) uncorks every held socket, so whatever was
 * written to a socket during the turn leaves in a single system call.
 *
 * Live fan-out is bound by those calls (on loopback each also runs the receiver's TCP stack):
 * a handoff transition records several events at once, and each subscriber then gets them in one
 * write instead of one write per event. A frame waits at most until the turn's I/O is done.
 * (Longer, timed windows were tried and measured: they added latency without cutting the tail.)
 */
export class WriteBatches {
  private readonly held = new Set<Socket>();
  private scheduled = false;

  /** Call before writing to `socket`: the write leaves with the turn's flush. */
  hold(socket: Socket): void {
    if (this.held.has(socket) || socket.destroyed) return;
    socket.cork();
    this.held.add(socket);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const sockets = [...this.held];
    this.held.clear();
    for (const socket of sockets) socket.uncork();
  };
}
