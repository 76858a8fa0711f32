import type { AgentFeedService } from '../agents/agent-feed-service.js';
import type { AgentService } from '../agents/agent-service.js';
import type { EngineModule } from '../kernel/engine-module.js';
import type { KernelBase } from '../kernel/kernel-base.js';
import { repeatEvery } from '../shared/clock.js';
import { outboundFetch } from '../shared/outbound-fetch.js';
import type { AgentTaskService } from '../tasks/agent-task-service.js';
import { secureClaimTokens } from '../tasks/claim-token.js';
import { A2AAgentService } from './a2a-agent-service.js';
import type { A2AAgentStore } from './a2a-agent-store.js';
import { A2ABridge, BRIDGE_ACTOR } from './a2a-bridge.js';
import type { A2APeers } from './a2a-peers.js';
import { A2A_PUSH_PATH } from './a2a-push-path.js';
import { lazySdkPeers } from './lazy-sdk-peers.js';

export interface A2ASettings {
  /** Hosts the server may call (WEBHOOK_ALLOW_HOSTS): cards and agents alike. */
  webhookAllowList: string[];
  /** Which of them may resolve to a private address (OUTBOUND_ALLOW_PRIVATE), as for webhooks. */
  outboundAllowPrivate?: boolean | string[];
  /** How long an agent has to answer a call (default 5 s; a stream, once answered, lasts as long as the task). */
  webhookTimeoutMs?: number;
  /** How often every A2A agent's card is read again (default 15 s). */
  a2aCardRefreshMs?: number;
  /** The longest wait between two polls of an agent that does not stream (default 5 s). */
  a2aPollMaxMs?: number;
  /** Our public base URL (A2A_PUBLIC_URL): agents that push are given `<it>/a2a/push`; null: no push. */
  a2aPublicUrl?: string | null;
}

export interface A2AWiring {
  /** How A2A agents are called (default: the official SDK's client over outboundFetch). */
  peers?: A2APeers;
  /** Secret tokens for push notification configs (default: the OS CSPRNG). */
  pushTokens?: () => string;
}

export { A2A_PUSH_PATH };

/** What the HTTP layer hands a push notification to: true when its token belongs to a run here. */
export interface A2APushInbox {
  nudge(token: string): boolean;
}

export interface A2AModule extends EngineModule {
  /** The A2A agents of the registry: registered from their cards, read again on a schedule. */
  service: A2AAgentService;
  push: A2APushInbox;
}

/**
 * A2A agents as handoff targets: the registry of their cards, and the bridge that works the tasks
 * offered to them (started with the module, stopped before the kernel drains its runs: a restart
 * follows the same A2A tasks again).
 */
export function wireA2A(
  base: KernelBase<unknown>,
  store: A2AAgentStore,
  agents: AgentService,
  tasks: AgentTaskService,
  feed: AgentFeedService,
  settings: A2ASettings,
  wiring: A2AWiring = {},
): A2AModule {
  const { clock, logger, leases } = base;
  const peers =
    wiring.peers ??
    lazySdkPeers(
      outboundFetch({
        // The policy webhooks have: the same hosts, the same private-address rule.
        policy: { allowHosts: settings.webhookAllowList, allowPrivate: settings.outboundAllowPrivate ?? false },
        timeoutMs: settings.webhookTimeoutMs ?? 5_000,
        clock,
      }),
    );
  let bridge: A2ABridge | null = null;
  const service = new A2AAgentService({
    store,
    agents,
    peers,
    clock,
    logger,
    allowList: settings.webhookAllowList,
    onLinked: (agentId) => void bridge?.track(agentId),
  });
  return {
    name: 'a2a',
    service,
    push: { nudge: (token) => bridge?.nudge(token) ?? false },
    async start() {
      bridge = new A2ABridge({
        links: service,
        tasks,
        feed: feed.entries,
        peers,
        clock,
        logger,
        actor: BRIDGE_ACTOR,
        owner: leases.owner,
        pollMinMs: 250,
        pollMaxMs: settings.a2aPollMaxMs ?? 5_000,
        heartbeatEveryMs: 5_000,
        sweepEveryMs: 5_000,
        mayTakeOver: (holder) => holder !== leases.owner && leases.mayTakeOver(holder),
        pushUrl: settings.a2aPublicUrl ? `${settings.a2aPublicUrl}${A2A_PUSH_PATH}` : null,
        pushTokens: wiring.pushTokens ?? secureClaimTokens,
      });
      const stopBridge = bridge.start();
      const stopRefreshing = repeatEvery(clock, settings.a2aCardRefreshMs ?? 15_000, () => service.refreshAll());
      return async () => {
        stopRefreshing();
        await stopBridge();
        bridge = null;
      };
    },
  };
}
