/**
 * What the fan-out subscribers received, kept without allocating per message: message bytes are
 * copied into one growing arena and receive times into a typed array. The subscribers' process is
 * the benchmark's instrument; a per-message Buffer kept for seconds would be promoted and later
 * marked and compacted, and those pauses (10–30 ms, measured) showed up as the server's latency.
 */
export class ReceiveLog {
  private bytes = Buffer.allocUnsafe(32 * 1024 * 1024);
  private used = 0;
  private starts = new Int32Array(1 << 17);
  private times = new Float64Array(1 << 17);
  private sources = new Int32Array(1 << 17);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Keeps `payload`, received at `receivedAt` by subscriber number `source`. */
  add(payload: Buffer, receivedAt: number, source: number): void {
    if (this.count === this.starts.length - 1) this.growIndex();
    if (this.used + payload.length > this.bytes.length) this.growBytes(payload.length);
    this.starts[this.count] = this.used;
    this.times[this.count] = receivedAt;
    this.sources[this.count] = source;
    this.used += payload.copy(this.bytes, this.used);
    this.count++;
    this.starts[this.count] = this.used;
  }

  /** Message `index` as text, when it was received and by which subscriber (messages are kept in receive order). */
  at(index: number): { text: string; receivedAt: number; source: number } {
    return {
      text: this.bytes.toString('utf8', this.starts[index], this.starts[index + 1]),
      receivedAt: this.times[index],
      source: this.sources[index],
    };
  }

  clear(): void {
    this.used = 0;
    this.count = 0;
  }

  private growIndex(): void {
    const starts = new Int32Array(this.starts.length * 2);
    starts.set(this.starts);
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    const sources = new Int32Array(this.sources.length * 2);
    sources.set(this.sources);
    this.starts = starts;
    this.times = times;
    this.sources = sources;
  }

  private growBytes(atLeast: number): void {
    const bytes = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + atLeast));
    this.bytes.copy(bytes, 0, 0, this.used);
    this.bytes = bytes;
  }
}
