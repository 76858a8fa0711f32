/**
 * In-process publish/subscribe for engine events. Synchronous fan-out: a listener that
 * needs to do async work must queue it itself.
 */
export class Topic<T> {
  private readonly listeners = new Set<(event: T) => void>();

  publish(event: T): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (event: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
