import { followHandoffChanges } from './events/follow-handoff-changes.js';
import type { Handoff } from './handoff/handoff.js';
import {
  type HandoffDependents,
  HandoffRetention,
  KEEP_EVERYTHING,
  type RetentionSettings,
} from './handoff-retention.js';
import type { InitiationCheck } from './handoff-service.js';
import { HandoffService } from './handoff-service.js';
import type { KernelBase } from './kernel-base.js';
import { ProcedureService } from './procedures/procedure-service.js';
import type { ConditionEvaluator } from './procedures/step-condition.js';
import type { HandoffChecks } from './runner/active-run.js';
import { HandoffRunner } from './runner/handoff-runner.js';
import type { FaultHook } from './runner/run-action.js';
import type { FairShareRule } from './scheduler/fair-share.js';
import type { HandoffQueue } from './scheduler/handoff-queue.js';
import { type DueWork, Scheduler } from './scheduler/scheduler.js';
import type { StepKindHandlers } from './steps/step-kind.js';
import { revertNotice, subHandoffStep } from './steps/sub-handoff-step.js';

export interface KernelSettings {
  /** Handoffs this process runs at once; 0: none (an API-only process). */
  maxConcurrentHandoffs: number;
  /** Per-key limits on top of maxConcurrentHandoffs (default: none). */
  fairShare?: FairShareRule | null;
  /** When finished handoffs are deleted (default: never). */
  retention?: RetentionSettings;
  /** How often a shared store is asked what other processes committed (default 50 ms). */
  changePollMs?: number;
  /**
   * How often the store is asked what is due. Default: 50 ms on a store other processes share (their
   * work and their hand-backs are found no other way), 1 s on one this process has alone (what it makes
   * due it hears of at once; the poll catches deadlines and timeouts it does not remember).
   */
  schedulerPollMs?: number;
  /** Hosts webhook steps may call: procedures naming others are refused when written. */
  webhookAllowList: string[];
}

/**
 * What the modules bring to the kernel: a handler for every step kind (the compiler checks none is
 * missing), the validation a run needs, what must hold before a handoff starts, what falls due in
 * their stores, what they keep per handoff, and what they follow on the change feed.
 */
export interface KernelExtensions<Other> {
  /** Every kind but sub_handoff, which the kernel builds itself (it starts handoffs). */
  stepKinds: Omit<StepKindHandlers, 'sub_handoff'>;
  checks: HandoffChecks;
  /** Evaluates steps' conditions (`when`), and checks them when a procedure is written. */
  conditions: ConditionEvaluator;
  /** Ids of the validation rules that exist, for checking procedure definitions. */
  knownRuleIds(): Promise<ReadonlySet<string>>;
  initiationChecks: readonly InitiationCheck[];
  /** Agents holding a role (a capability), for handoff queries by role. */
  agentsWithRole(role: string, limit: number): Promise<string[]>;
  dueWork: readonly DueWork[];
  dependents: readonly HandoffDependents[];
  faults: FaultHook | null;
  /** What the change feed carries for modules, as it comes from other processes. */
  onOtherChange(change: Other): void;
}

/**
 * The kernel: procedures, the handoff state machine and its runner, the durable scheduler, retention,
 * and the service the API calls. Built on the base (see kernel-base.ts) with the modules' extensions.
 */
export class Kernel<Other extends { kind: string } = never> {
  readonly procedures: ProcedureService;
  readonly runner: HandoffRunner;
  readonly scheduler: Scheduler;
  readonly handoffs: HandoffService;
  readonly retention: HandoffRetention;
  private readonly stops: (() => void)[] = [];

  constructor(
    readonly base: KernelBase<Other>,
    private readonly settings: KernelSettings,
    private readonly extensions: KernelExtensions<Other>,
  ) {
    const { stores, clock, random, logger, bus, leases, signals } = base;
    // Every step kind has its handler here: one missing (or one too many) does not compile.
    const stepKinds: StepKindHandlers = {
      ...extensions.stepKinds,
      sub_handoff: subHandoffStep(() => this.handoffs),
    };
    this.procedures = new ProcedureService({
      repository: stores.procedures,
      clock,
      knownRuleIds: extensions.knownRuleIds,
      webhookAllowList: settings.webhookAllowList,
      stepKinds,
      conditions: extensions.conditions,
    });
    this.runner = new HandoffRunner({
      store: stores.handoffs,
      loadProcedure: (id, version) => this.procedures.getVersion(id, version),
      bus,
      leases,
      stepKinds,
      checks: extensions.checks,
      conditions: extensions.conditions,
      faults: extensions.faults,
      onFinished: (handoff) => this.tellParent(handoff),
      clock,
      random,
      logger,
    });
    this.scheduler = new Scheduler({
      store: stores.handoffs,
      runner: this.runner,
      leases,
      bus,
      clock,
      logger,
      slots: settings.maxConcurrentHandoffs,
      fairShare: settings.fairShare ?? null,
      pollMs: settings.schedulerPollMs ?? (stores.sharing === 'shared' ? 50 : 1_000),
      dueWork: extensions.dueWork,
    });
    this.handoffs = new HandoffService({
      store: stores.handoffs,
      procedures: this.procedures,
      scheduler: this.scheduler,
      bus,
      signals,
      initiationChecks: extensions.initiationChecks,
      settled: (id) => this.runner.settled(id),
      agentsWithRole: extensions.agentsWithRole,
      clock,
      random,
      logger,
    });
    this.retention = new HandoffRetention(
      { handoffs: stores.handoffs, dependents: extensions.dependents },
      settings.retention ?? KEEP_EVERYTHING,
      clock,
      logger,
    );
  }

  /**
   * A sub-handoff that finished records so on its parent, whose waiting step then goes on (a notice lost
   * to a crash is made up for by the step looking at its child now and then: see sub-handoff-step.ts).
   */
  private tellParent(child: Handoff): void {
    const { parent } = child;
    if (!parent) return;
    const name = child.revertRequest ? revertNotice(parent) : parent.notice;
    this.base.signals
      .wake(parent.handoffId, name, { childId: child.id, status: child.status })
      .catch((error) =>
        this.base.logger.warn(
          { handoffId: child.id, parentId: parent.handoffId, err: error },
          'could not tell the parent handoff that its sub-handoff finished; it looks again by itself',
        ),
      );
  }

  /** This process's admission queue (priority and fair share among what it took). */
  get queue(): HandoffQueue {
    return this.scheduler.queue;
  }

  /** Seeds the procedures, follows what other processes commit, renews leases. */
  async start(): Promise<void> {
    const { stores, clock, logger, bus, leases } = this.base;
    await this.procedures.seedDefaults();
    if (stores.handoffChanges) {
      this.stops.push(
        await followHandoffChanges(stores.handoffChanges, {
          clock,
          pollMs: this.settings.changePollMs ?? 50,
          logger,
          listener: {
            events: (events) => {
              // Another process redrove a handoff this one may hold as finished, or asked a completed one to roll back.
              for (const event of events)
                if (event.type === 'HANDOFF_REDRIVEN' || (event.type === 'ROLLBACK_STARTED' && event.data?.revert))
                  stores.handoffs.forget(event.handoffId);
              bus.foreign(events);
            },
            signal: (handoffId, name, payload) =>
              bus.requests.publish({ kind: 'signal', handoffId, name, payload, local: false }),
            cancel: (handoffId, reason) => bus.requests.publish({ kind: 'cancel', handoffId, reason, local: false }),
            other: (change) => this.extensions.onOtherChange(change),
          },
        }),
      );
    }
    this.stops.push(leases.start());
  }

  /** Takes due work (handoffs, and modules' due work) from now on; deletes past retention. */
  async startWork(): Promise<void> {
    await this.scheduler.start();
    this.retention.start();
  }

  /** Stops taking work, waits for running attempts to reach a safe point, stops following changes. */
  async stop(): Promise<void> {
    await this.retention.stop();
    await this.scheduler.stop();
    for (const stop of this.stops.splice(0)) stop();
  }
}
