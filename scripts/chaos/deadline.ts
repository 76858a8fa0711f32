/** The run's time budget: every wait in a run checks it, so a run ends by itself. */
export class Deadline {
  readonly at: number;

  constructor(ms: number) {
    this.at = Date.now() + ms;
  }

  get passed(): boolean {
    return Date.now() > this.at;
  }

  /** Throws once the budget is spent, saying what was being waited for. */
  check(waitingFor: string): void {
    if (this.passed) throw new Error(`the run's deadline passed while waiting for ${waitingFor}`);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
