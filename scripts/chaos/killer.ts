import { seededRandom } from '../../src/engine/shared/random.js';
import { sleep } from './deadline.js';
import type { ServerProcess } from './server-process.js';

/** One SIGKILL of the run: when it came, and how long the store was without a server. */
export interface Kill {
  afterAcknowledged: number;
  downMs: number;
  /** True for a kill among the redrives (then afterAcknowledged counts answered retryHandoff calls). */
  duringRedrives?: boolean;
}

/**
 * Kills the server with SIGKILL at `kills` moments and starts it again on the same store and port.
 * The moments are drawn from the seed as counts of acknowledged handoffs (between 5 % and all of
 * them: the last may land while the rest drain), plus up to 50 ms, so they fall mid-flight.
 */
export class Killer {
  readonly kills: Kill[] = [];
  private readonly points: number[];
  private readonly delays: number[];
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  constructor(
    private readonly server: ServerProcess,
    count: number,
    handoffs: number,
    seed: number,
  ) {
    const draws = seededRandom(seed ^ 0x5bd1e995);
    this.points = Array.from({ length: count }, () =>
      Math.max(1, Math.ceil((0.05 + 0.95 * draws.next()) * handoffs)),
    ).sort((a, b) => a - b);
    this.delays = Array.from({ length: count }, () => Math.floor(draws.next() * 50));
  }

  /** Hears the acknowledged count; schedules every kill whose moment has come. */
  onAcknowledged(count: number): void {
    while (this.points.length > 0 && this.points[0]! <= count) {
      this.points.shift();
      const delay = this.delays.shift()!;
      this.chain = this.chain
        .then(() => this.killAndRestart(count, delay))
        .catch((error) => {
          this.failure ??= error;
        });
    }
  }

  /** Resolves when every kill scheduled so far has been made and its server is up again. */
  async done(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }

  private async killAndRestart(afterAcknowledged: number, delay: number): Promise<void> {
    await sleep(delay);
    const killedAt = Date.now();
    await this.server.kill();
    await this.server.start();
    this.kills.push({ afterAcknowledged, downMs: Date.now() - killedAt });
  }
}
