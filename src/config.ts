import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RetentionSettings } from './engine/kernel/handoff-retention.js';
import type { FairShareKeySource, FairShareRule } from './engine/kernel/scheduler/fair-share.js';

/** Where `npm run dashboard:build` writes, whatever directory the server starts from. */
const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/dist', import.meta.url));

/** Which persistence adapter backs the store. */
export type StoreKind = 'embedded' | 'memory' | 'mongo';

export interface ApiKey {
  /** A short name for logs; the key itself is never logged. */
  name: string;
  key: string;
  /** `agent`: a key bound to one agent (agentId), which may act on that agent's own work only. */
  role: 'viewer' | 'operator' | 'admin' | 'agent';
  /** The agent an `agent` key is bound to. */
  agentId?: string;
}

export interface Config {
  port: number;
  host: string;
  /** True when HOST was set explicitly (an open server then binds where it was told). */
  hostExplicit: boolean;
  store: StoreKind;
  mongodbUrl?: string;
  dataDir: string;
  /** What an embedded-store commit survives: NORMAL (a process crash) or FULL (also a power loss). */
  storeSync: 'NORMAL' | 'FULL';
  /** How often a shared store is asked what other processes committed (events, signals, cancels). */
  changePollMs: number;
  /** How long a handoff's lease lasts without renewal: a process that vanished holds its handoffs this long at most. */
  leaseMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Heartbeats older than this make an agent read as OFFLINE. */
  agentHeartbeatWindowMs: number;
  /** Cap on handoffs executing at once in this process (waiting ones hold no slot); the rest queue by priority then age. */
  maxConcurrentHandoffs: number;
  /** Whether this process executes handoffs (WORKERS=1, the default) or serves the API only (WORKERS=0). */
  workers: boolean;
  /** How often the store is asked what is due (queued starts, retries, waits that end, deadlines); default by store sharing. */
  schedulerPollMs?: number;
  /** Per-key concurrency limits on top of maxConcurrentHandoffs (FAIR_SHARE_*); null: off. */
  fairShare: FairShareRule | null;
  /** How many fair-share keys /metrics labels by name (the rest add up under key="other"). */
  fairShareMetricKeys: number;
  /** How long finished handoffs are kept before the background sweep deletes them (0: forever). */
  retention: RetentionSettings;
  /** Budget (bytes of stored text) for finished handoffs kept parsed in memory for reads; 0 turns the cache off. */
  finishedHandoffCacheBytes: number;
  /** Handoffs a bulk operation acts on per batch; its progress is stored after each. */
  bulkBatchSize: number;
  /** Pause between two batches of a bulk operation, leaving the store to live traffic. */
  bulkBatchIntervalMs: number;
  /** Whether committed events are folded into series and learned step statistics (INSIGHT=1, the default). */
  insight: boolean;
  /** How long the per-minute and per-hour series are kept. */
  insightMinuteRetentionMs: number;
  insightHourRetentionMs: number;
  /** How often the fold looks for newly committed events. */
  insightPollMs: number;
  /**
   * Where traces go over OTLP/HTTP (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT);
   * null: no tracing at all, at no cost. The exporter reads the other standard OTEL_* variables itself.
   */
  otlpTracesEndpoint: string | null;
  /** OTEL_SERVICE_NAME (default handoff). */
  otelServiceName: string;
  /** Hosts that `webhook` steps and webhook subscriptions may call (WEBHOOK_ALLOW_HOSTS). */
  webhookAllowList: string[];
  /**
   * OUTBOUND_ALLOW_PRIVATE: which allow-listed hosts may resolve to loopback, private, link-local or
   * other non-public addresses — all of them (true), the hosts listed, or none (false, the default).
   */
  outboundAllowPrivate: boolean | string[];
  /** WEBHOOK_STEP_SECRET: webhook step calls are signed with it (Handoff-Signature); null: unsigned. */
  webhookStepSecret: string | null;
  /** Webhook subscriptions: attempts per delivery before it is marked FAILED. */
  webhookMaxAttempts: number;
  /** Wait before the second attempt of a delivery; each later wait is three times longer, up to an hour. */
  webhookRetryInitialMs: number;
  /** How long a receiver has to answer one POST. */
  webhookTimeoutMs: number;
  /** How often new events are looked for and due deliveries sent. */
  webhookPollMs: number;
  /** How long finished webhook deliveries (DELIVERED, FAILED) stay in the delivery log. */
  webhookLogRetentionMs: number;
  /** How often the Agent Card of every registered A2A agent is read again. */
  a2aCardRefreshMs: number;
  /** The longest wait between two polls of an A2A agent that does not stream. */
  a2aPollMaxMs: number;
  /** The base URL our own Agent Card names (A2A clients call `<it>/a2a`); null: taken from each request's Host. */
  a2aPublicUrl: string | null;
  apiKeys: ApiKey[];
  /** Largest accepted HTTP request body. */
  maxBodyBytes: number;
  maxWebSockets: number;
  maxSubscriptionsPerSocket: number;
  /** Messages one graphql-ws socket may have waiting to be handled; a socket with more is closed with 4429. */
  wsMaxPendingMessages: number;
  /** Unsent live-subscription bytes one WebSocket may have queued before it is closed with 1013 (WS_MAX_QUEUED_BYTES). */
  wsMaxQueuedBytes: number;
  /** Streams (SSE responses and graphql-ws subscriptions) open at once, all clients together. */
  maxStreams: number;
  /** Streams one client (peer address) may hold open at once, over every transport. */
  maxStreamsPerClient: number;
  /** Host names an open server also answers to, besides loopback names and IP addresses (ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** MCP sessions (Streamable HTTP at /mcp) open at once; an initialize beyond it gets 503. */
  mcpMaxSessions: number;
  /** An MCP session unused for this long is closed. */
  mcpSessionIdleMs: number;
  /** Browser origins allowed to call the API cross-origin (CORS and WebSocket Origin check); none by default. */
  corsOrigins: string[];
  /** The dashboard's build (vite's output) served at `/`. */
  dashboardDir: string;
}

/** A bad setting: start-up stops with this one-line message. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ROLES = ['viewer', 'operator', 'admin', 'agent'] as const;
/** The agent ids an agent key may be bound to (the registry's pattern). */
const AGENT_ID = /^[A-Za-z0-9_.@-]{1,128}$/;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function apiKey(variable: string, name: unknown, role: unknown, key: unknown, agentId?: unknown): ApiKey {
  if (typeof name !== 'string' || typeof role !== 'string' || typeof key !== 'string' || !name || !role || !key) {
    throw new ConfigError(variable, 'each entry must be name:role:key');
  }
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new ConfigError(variable, `role of "${name}" must be one of ${ROLES.join(', ')}`);
  }
  if (key.length < 16) throw new ConfigError(variable, `key of "${name}" must be at least 16 characters`);
  if (role !== 'agent') {
    if (agentId !== undefined)
      throw new ConfigError(variable, `only an agent key is bound to an agent ("${name}" is ${role})`);
    return { name, role: role as ApiKey['role'], key };
  }
  if (typeof agentId !== 'string' || !AGENT_ID.test(agentId)) {
    throw new ConfigError(
      variable,
      `agent key "${name}" needs the agent it is bound to: name:agent=<agentId>:key (letters, digits, _ . @ -)`,
    );
  }
  return { name, role: 'agent', key, agentId };
}

/** `name:role:key`, or `name:agent=<agentId>:key` for a key bound to one agent. */
function colonEntry(variable: string, entry: string): ApiKey {
  const [name, role, ...rest] = entry.trim().split(':');
  const bound = role?.startsWith('agent=') ? role.slice('agent='.length) : undefined;
  return apiKey(variable, name, bound === undefined ? role : 'agent', rest.join(':'), bound);
}

/**
 * `API_KEYS_FILE`: a JSON array of `{ "name", "role", "key" }` objects (an agent key also has
 * `"agent": "<agentId>"`), or one `name:role:key`
 * per line (blank lines and `#` comments ignored). Keeps keys out of the process environment.
 */
function apiKeysFile(env: Env): ApiKey[] {
  const file = env.API_KEYS_FILE;
  if (!file) return [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('API_KEYS_FILE', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text.trimStart().startsWith('[')) {
    let entries: unknown;
    try {
      entries = JSON.parse(text);
    } catch {
      throw new ConfigError('API_KEYS_FILE', `${file} is not valid JSON`);
    }
    if (!Array.isArray(entries)) throw new ConfigError('API_KEYS_FILE', 'expected a JSON array of { name, role, key }');
    return entries.map((entry) => {
      const { name, role, key, agent } = (entry ?? {}) as Record<string, unknown>;
      return apiKey('API_KEYS_FILE', name, role, key, agent);
    });
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => colonEntry('API_KEYS_FILE', line));
}

/** `API_KEYS=name:role:key,name:role:key` plus `API_KEYS_FILE` — keys at least 16 characters, names unique. */
function apiKeys(env: Env): ApiKey[] {
  const inline = env.API_KEYS ? env.API_KEYS.split(',').map((entry) => colonEntry('API_KEYS', entry)) : [];
  const keys = [...inline, ...apiKeysFile(env)];
  const names = new Set<string>();
  for (const { name } of keys) {
    if (names.has(name)) throw new ConfigError('API_KEYS', `key name "${name}" is used twice`);
    names.add(name);
  }
  return keys;
}

const METADATA_PATH = /^metadata((\.[A-Za-z0-9_-]+)+)$/;

/** `FAIR_SHARE_KEY`: targetAgent, procedure, or metadata.<path> (dot-separated field names). */
function fairShareKey(raw: string): FairShareKeySource {
  if (raw === 'targetAgent' || raw === 'procedure') return { kind: raw };
  const metadata = METADATA_PATH.exec(raw);
  if (metadata) return { kind: 'metadata', path: metadata[1].slice(1).split('.') };
  throw new ConfigError('FAIR_SHARE_KEY', `expected targetAgent, procedure or metadata.<path>, got "${raw}"`);
}

/** `FAIR_SHARE_LIMITS=key=N,key=N`: limits for named keys (the last `=` splits key from limit). */
function fairShareOverrides(raw: string | undefined): Map<string, number> {
  const overrides = new Map<string, number>();
  for (const entry of (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const split = entry.lastIndexOf('=');
    const key = entry.slice(0, split).trim();
    const limit = entry.slice(split + 1).trim();
    if (split <= 0 || !key || !/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100_000) {
      throw new ConfigError(
        'FAIR_SHARE_LIMITS',
        `each entry must be key=N with N between 1 and 100000, got "${entry}"`,
      );
    }
    if (overrides.has(key)) throw new ConfigError('FAIR_SHARE_LIMITS', `key "${key}" is given twice`);
    overrides.set(key, Number(limit));
  }
  return overrides;
}

/** FAIR_SHARE_KEY with FAIR_SHARE_LIMIT (and optional FAIR_SHARE_LIMITS), or none of them. */
function fairShare(env: Env): FairShareRule | null {
  if (!env.FAIR_SHARE_KEY) {
    for (const name of ['FAIR_SHARE_LIMIT', 'FAIR_SHARE_LIMITS']) {
      if (env[name]) throw new ConfigError(name, 'needs FAIR_SHARE_KEY (targetAgent, procedure or metadata.<path>)');
    }
    return null;
  }
  const key = fairShareKey(env.FAIR_SHARE_KEY);
  if (!env.FAIR_SHARE_LIMIT)
    throw new ConfigError(
      'FAIR_SHARE_LIMIT',
      'is required with FAIR_SHARE_KEY: how many handoffs of one key may run at once',
    );
  return {
    key,
    limit: integer(env, 'FAIR_SHARE_LIMIT', 1, 1, 100_000),
    overrides: fairShareOverrides(env.FAIR_SHARE_LIMITS),
  };
}

function hostList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1'),
    )
    .filter(Boolean);
}

/** OUTBOUND_ALLOW_PRIVATE=true|false|host,host: every host listed must be one WEBHOOK_ALLOW_HOSTS allows. */
function outboundAllowPrivate(env: Env, allowHosts: string[]): boolean | string[] {
  const raw = (env.OUTBOUND_ALLOW_PRIVATE ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  const hosts = hostList(raw);
  const unknown = hosts.filter((host) => !allowHosts.includes(host));
  if (unknown.length > 0)
    throw new ConfigError(
      'OUTBOUND_ALLOW_PRIVATE',
      `expected true, false or hosts that WEBHOOK_ALLOW_HOSTS lists; ${unknown.join(', ')} is not listed there`,
    );
  return hosts;
}

function webhookStepSecret(env: Env): string | null {
  const secret = env.WEBHOOK_STEP_SECRET;
  if (secret === undefined || secret === '') return null;
  if (secret.length < 16) throw new ConfigError('WEBHOOK_STEP_SECRET', 'must be at least 16 characters');
  return secret;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The OTLP/HTTP traces endpoint the standard variables name: the signal's own, else the base one + /v1/traces. */
function otlpEndpoint(env: Env): string | null {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || null;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT || null;
  const endpoint = traces ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : null);
  if (endpoint === null) return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(
      traces ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT',
      `not a URL: "${endpoint}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(
      traces ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT',
      'must be an http(s) URL',
    );
  return url.toString();
}
const TEN_YEARS_MINUTES = 10 * 366 * 24 * 60;

/** HANDOFF_RETENTION_MINUTES (0: keep forever, the default), TEST_HANDOFF_RETENTION_MINUTES (default: the same). */
function retention(env: Env): RetentionSettings {
  const production = integer(env, 'HANDOFF_RETENTION_MINUTES', 0, 0, TEN_YEARS_MINUTES);
  return {
    finishedAgeMs: production * MINUTE_MS,
    testFinishedAgeMs: integer(env, 'TEST_HANDOFF_RETENTION_MINUTES', production, 0, TEN_YEARS_MINUTES) * MINUTE_MS,
    batchSize: integer(env, 'HANDOFF_RETENTION_BATCH', 200, 1, 10_000),
    intervalMs: integer(env, 'HANDOFF_RETENTION_INTERVAL_MS', 60_000, 100, 86_400_000),
  };
}

/** `A2A_PUBLIC_URL`: http(s), no query or fragment; kept without a trailing slash. */
function publicUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('A2A_PUBLIC_URL', `not a URL: "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash)
    throw new ConfigError(
      'A2A_PUBLIC_URL',
      'expected an http(s) URL without query or fragment, e.g. https://handoff.example.com',
    );
  return url.href.replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): Config {
  const mongodbUrl = env.MONGODB_URL || undefined;
  if (mongodbUrl && !/^mongodb(\+srv)?:\/\//.test(mongodbUrl)) {
    throw new ConfigError('MONGODB_URL', 'must start with mongodb:// or mongodb+srv://');
  }
  const store = oneOf<StoreKind>(env, 'STORE', ['embedded', 'memory', 'mongo'], mongodbUrl ? 'mongo' : 'embedded');
  if (store === 'mongo' && !mongodbUrl) throw new ConfigError('STORE', 'STORE=mongo needs MONGODB_URL');
  const hostExplicit = Boolean(env.HOST);
  const keys = apiKeys(env);
  const webhookAllowList = hostList(env.WEBHOOK_ALLOW_HOSTS);
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    // An open server (no keys) stays on loopback unless told otherwise.
    host: env.HOST || (keys.length > 0 ? '0.0.0.0' : '127.0.0.1'),
    hostExplicit,
    store,
    mongodbUrl,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    storeSync: oneOf(env, 'STORE_SYNC', ['NORMAL', 'FULL'] as const, 'NORMAL'),
    changePollMs: integer(env, 'CHANGE_POLL_MS', 50, 5, 60_000),
    leaseMs: integer(env, 'LEASE_MS', 15_000, 300, 3_600_000),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    agentHeartbeatWindowMs: integer(env, 'AGENT_HEARTBEAT_WINDOW_MS', 30_000, 1, 86_400_000),
    maxConcurrentHandoffs: integer(env, 'MAX_CONCURRENT_HANDOFFS', 200, 1, 100_000),
    workers: integer(env, 'WORKERS', 1, 0, 1) === 1,
    schedulerPollMs: env.SCHEDULER_POLL_MS ? integer(env, 'SCHEDULER_POLL_MS', 50, 5, 60_000) : undefined,
    fairShare: fairShare(env),
    fairShareMetricKeys: integer(env, 'FAIR_SHARE_METRIC_KEYS', 20, 1, 1_000),
    retention: retention(env),
    finishedHandoffCacheBytes: integer(env, 'FINISHED_HANDOFF_CACHE_MB', 64, 0, 65_536) * 1024 * 1024,
    bulkBatchSize: integer(env, 'BULK_BATCH_SIZE', 100, 1, 10_000),
    bulkBatchIntervalMs: integer(env, 'BULK_BATCH_INTERVAL_MS', 0, 0, 3_600_000),
    insight: integer(env, 'INSIGHT', 1, 0, 1) === 1,
    insightMinuteRetentionMs: integer(env, 'INSIGHT_MINUTE_RETENTION_DAYS', 7, 1, 3_660) * DAY_MS,
    insightHourRetentionMs: integer(env, 'INSIGHT_HOUR_RETENTION_DAYS', 365, 1, 3_660) * DAY_MS,
    insightPollMs: integer(env, 'INSIGHT_POLL_MS', 1_000, 20, 60_000),
    otlpTracesEndpoint: otlpEndpoint(env),
    otelServiceName: env.OTEL_SERVICE_NAME || 'handoff',
    webhookAllowList,
    outboundAllowPrivate: outboundAllowPrivate(env, webhookAllowList),
    webhookStepSecret: webhookStepSecret(env),
    webhookMaxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
    webhookRetryInitialMs: integer(env, 'WEBHOOK_RETRY_INITIAL_MS', 1_000, 1, 3_600_000),
    webhookTimeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 5_000, 100, 60_000),
    webhookPollMs: integer(env, 'WEBHOOK_POLL_MS', 250, 5, 60_000),
    webhookLogRetentionMs: integer(env, 'WEBHOOK_LOG_RETENTION_HOURS', 168, 1, 87_600) * 3_600_000,
    a2aCardRefreshMs: integer(env, 'A2A_CARD_REFRESH_MS', 15_000, 100, 86_400_000),
    a2aPollMaxMs: integer(env, 'A2A_POLL_MAX_MS', 5_000, 100, 3_600_000),
    a2aPublicUrl: publicUrl(env.A2A_PUBLIC_URL),
    apiKeys: keys,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1_000_000, 1_000, 100_000_000),
    maxWebSockets: integer(env, 'MAX_WEBSOCKETS', 2_000, 1, 1_000_000),
    maxSubscriptionsPerSocket: integer(env, 'MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 1, 100_000),
    wsMaxPendingMessages: integer(env, 'WS_MAX_PENDING_MESSAGES', 256, 8, 1_000_000),
    wsMaxQueuedBytes: integer(env, 'WS_MAX_QUEUED_BYTES', 8 * 1024 * 1024, 4_096, 1_073_741_824),
    maxStreams: integer(env, 'MAX_STREAMS', 10_000, 1, 1_000_000),
    maxStreamsPerClient: integer(env, 'MAX_STREAMS_PER_CLIENT', 1_000, 1, 1_000_000),
    mcpMaxSessions: integer(env, 'MCP_MAX_SESSIONS', 100, 1, 100_000),
    mcpSessionIdleMs: integer(env, 'MCP_SESSION_IDLE_MS', 1_800_000, 1_000, 86_400_000),
    dashboardDir: path.resolve(env.DASHBOARD_DIR || DEFAULT_DASHBOARD_DIR),
    allowedHosts: (env.ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean),
  };
}
