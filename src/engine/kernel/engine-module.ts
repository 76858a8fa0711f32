/** Stops what a module started; resolves once its work reached a safe point. */
export type StopModule = () => Promise<void>;

/**
 * What every module's wire(…) returns besides its service and what it brings to the kernel: its
 * background work, started after the kernel's own (procedures seeded, changes followed) and before
 * the kernel takes due work, and stopped, in reverse order, before the kernel drains its runs.
 */
export interface EngineModule {
  readonly name: string;
  start(): Promise<StopModule>;
}

/** A module with no background work. */
export const NOTHING_TO_START: EngineModule['start'] = async () => async () => undefined;
