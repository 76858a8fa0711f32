/**
 * The messages one WebSocket has sent and the server has not handled yet. ws parses every frame of a
 * TCP chunk at once, so a client that writes 20,000 messages in a burst would otherwise have all of
 * them handled in one turn of the event loop (parse, validate, execute), and nothing else — not even
 * `/health` — would be served meanwhile. Here each message gets its own turn (setImmediate), and a
 * socket with more than `budget` messages waiting is over its budget: it is reported once and its
 * waiting messages (and any later ones) are dropped.
 */
export class MessagePump {
  private readonly waiting: string[] = [];
  private scheduled = false;
  private stopped = false;

  constructor(
    /** Handles one message; not awaited (a subscription's handler runs until the subscription ends). */
    private readonly deliver: (message: string) => void,
    /** Messages that may wait at once. */
    private readonly budget: number,
    /** The socket sent more than its budget: close it. Called once. */
    private readonly onOverBudget: () => void,
  ) {}

  push(message: string): void {
    if (this.stopped) return;
    if (this.waiting.length >= this.budget) {
      this.stop();
      this.onOverBudget();
      return;
    }
    this.waiting.push(message);
    this.schedule();
  }

  /** Drops what waits and everything sent later (the socket is closing). */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const message = this.waiting.shift();
      if (message !== undefined && !this.stopped) this.deliver(message);
      this.schedule();
    });
  }
}
