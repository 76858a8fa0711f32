import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/** The message loadConfig fails with for `env`; fails the test when it does not fail. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      hostExplicit: false,
      store: 'embedded',
      mongodbUrl: undefined,
      dataDir: path.resolve('./data'),
      logLevel: 'info',
      apiKeys: [],
    });
    expect(config.maxConcurrentHandoffs).toBeGreaterThan(0);
    expect(config.agentHeartbeatWindowMs).toBeGreaterThan(0);
  });

  it('reads PORT, HOST, DATA_DIR and LOG_LEVEL', () => {
    const config = loadConfig({ PORT: '0', HOST: '0.0.0.0', DATA_DIR: 'some/dir', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      hostExplicit: true,
      dataDir: path.resolve('some/dir'),
      logLevel: 'debug',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', STORE: '', MONGODB_URL: '', LOG_LEVEL: '' })).toMatchObject({
      port: 4000,
      store: 'embedded',
      logLevel: 'info',
    });
  });

  describe('store selection', () => {
    it('uses mongo when MONGODB_URL is set', () => {
      expect(loadConfig({ MONGODB_URL: 'mongodb://db:27017/handoff' })).toMatchObject({
        store: 'mongo',
        mongodbUrl: 'mongodb://db:27017/handoff',
      });
      expect(loadConfig({ MONGODB_URL: 'mongodb+srv://cluster.example.com/handoff' }).store).toBe('mongo');
    });

    it('lets STORE override the default', () => {
      expect(loadConfig({ STORE: 'memory' }).store).toBe('memory');
      expect(loadConfig({ STORE: 'embedded', MONGODB_URL: 'mongodb://db:27017/handoff' }).store).toBe('embedded');
      expect(loadConfig({ STORE: 'mongo', MONGODB_URL: 'mongodb://db:27017/handoff' }).store).toBe('mongo');
    });

    it('refuses STORE=mongo without MONGODB_URL', () => {
      expect(configError({ STORE: 'mongo' }).message).toMatch(/STORE.*MONGODB_URL/);
    });
  });

  describe('invalid values stop start-up with a one-line message naming the variable', () => {
    const cases: [string, Record<string, string>][] = [
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '-1' }],
      ['PORT', { PORT: '65536' }],
      ['PORT', { PORT: '80.5' }],
      ['STORE', { STORE: 'postgres' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
      ['MONGODB_URL', { MONGODB_URL: 'http://db:27017' }],
      ['MAX_CONCURRENT_HANDOFFS', { MAX_CONCURRENT_HANDOFFS: '0' }],
      ['AGENT_HEARTBEAT_WINDOW_MS', { AGENT_HEARTBEAT_WINDOW_MS: 'soon' }],
      ['MAX_BODY_BYTES', { MAX_BODY_BYTES: '10' }],
      ['MAX_WEBSOCKETS', { MAX_WEBSOCKETS: 'many' }],
      ['MAX_SUBSCRIPTIONS_PER_SOCKET', { MAX_SUBSCRIPTIONS_PER_SOCKET: '0' }],
      ['API_KEYS', { API_KEYS: 'ci:operator' }],
      ['API_KEYS', { API_KEYS: 'ci:owner:0123456789abcdef' }],
      ['API_KEYS', { API_KEYS: 'ci:operator:short' }],
    ];
    it.each(cases)('%s in %j', (variable, env) => {
      const error = configError(env);
      expect(error.message).toContain(variable);
      expect(error.message).not.toContain('\n');
    });

    it('quotes the offending value', () => {
      expect(configError({ PORT: 'abc' }).message).toBe('Invalid PORT: expected a whole number, got "abc"');
    });

    it('never echoes an API key', () => {
      expect(configError({ API_KEYS: 'ci:owner:0123456789abcdef' }).message).not.toContain('0123456789abcdef');
    });
  });

  describe('API_KEYS', () => {
    it('parses name:role:key entries, keys may contain colons', () => {
      const config = loadConfig({ API_KEYS: 'ci:operator:0123456789abcdef, root:admin:abc:def:0123456789' });
      expect(config.apiKeys).toEqual([
        { name: 'ci', role: 'operator', key: '0123456789abcdef' },
        { name: 'root', role: 'admin', key: 'abc:def:0123456789' },
      ]);
    });

    it('parses keys bound to one agent: name:agent=<agentId>:key, and "agent" in the JSON file', () => {
      expect(loadConfig({ API_KEYS: 'worker2:agent=agent_2:0123456789abcdef' }).apiKeys).toEqual([
        { name: 'worker2', role: 'agent', key: '0123456789abcdef', agentId: 'agent_2' },
      ]);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-config-')), 'keys.json');
      fs.writeFileSync(
        file,
        JSON.stringify([{ name: 'worker1', role: 'agent', agent: 'agent_1', key: '0123456789abcdef' }]),
      );
      expect(loadConfig({ API_KEYS_FILE: file }).apiKeys).toEqual([
        { name: 'worker1', role: 'agent', key: '0123456789abcdef', agentId: 'agent_1' },
      ]);
      fs.writeFileSync(
        file,
        JSON.stringify([{ name: 'ops', role: 'operator', agent: 'agent_1', key: '0123456789abcdef' }]),
      );
      expect(configError({ API_KEYS_FILE: file }).message).toContain('only an agent key is bound to an agent');
      expect(configError({ API_KEYS: 'w:agent:0123456789abcdef' }).message).toContain('name:agent=<agentId>:key');
      expect(configError({ API_KEYS: 'w:agent=:0123456789abcdef' }).message).toContain(
        'needs the agent it is bound to',
      );
      expect(configError({ API_KEYS: 'w:agent=has space:0123456789abcdef' }).message).toContain(
        'needs the agent it is bound to',
      );
    });

    it('binds to all interfaces when keys protect the server, unless HOST says otherwise', () => {
      expect(loadConfig({ API_KEYS: 'ci:viewer:0123456789abcdef' }).host).toBe('0.0.0.0');
      expect(loadConfig({ API_KEYS: 'ci:viewer:0123456789abcdef', HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    });
  });

  describe('fair share', () => {
    it('is off by default', () => {
      expect(loadConfig({}).fairShare).toBeNull();
    });

    it('reads the key, the default limit and per-key overrides', () => {
      expect(
        loadConfig({ FAIR_SHARE_KEY: 'targetAgent', FAIR_SHARE_LIMIT: '2', FAIR_SHARE_LIMITS: 'big=5, a=b=3' })
          .fairShare,
      ).toEqual({
        key: { kind: 'targetAgent' },
        limit: 2,
        overrides: new Map([
          ['big', 5],
          ['a=b', 3],
        ]),
      });
      expect(loadConfig({ FAIR_SHARE_KEY: 'procedure', FAIR_SHARE_LIMIT: '1' }).fairShare?.key).toEqual({
        kind: 'procedure',
      });
      expect(loadConfig({ FAIR_SHARE_KEY: 'metadata.tenant.id', FAIR_SHARE_LIMIT: '1' }).fairShare?.key).toEqual({
        kind: 'metadata',
        path: ['tenant', 'id'],
      });
    });

    it.each([
      [
        { FAIR_SHARE_KEY: 'sourceAgent', FAIR_SHARE_LIMIT: '1' },
        'Invalid FAIR_SHARE_KEY: expected targetAgent, procedure or metadata.<path>, got "sourceAgent"',
      ],
      [{ FAIR_SHARE_KEY: 'metadata.', FAIR_SHARE_LIMIT: '1' }, 'Invalid FAIR_SHARE_KEY'],
      [{ FAIR_SHARE_KEY: 'targetAgent' }, 'Invalid FAIR_SHARE_LIMIT: is required with FAIR_SHARE_KEY'],
      [
        { FAIR_SHARE_KEY: 'targetAgent', FAIR_SHARE_LIMIT: '0' },
        'Invalid FAIR_SHARE_LIMIT: must be between 1 and 100000',
      ],
      [{ FAIR_SHARE_LIMIT: '3' }, 'Invalid FAIR_SHARE_LIMIT: needs FAIR_SHARE_KEY'],
      [
        { FAIR_SHARE_KEY: 'targetAgent', FAIR_SHARE_LIMIT: '1', FAIR_SHARE_LIMITS: 'big' },
        'Invalid FAIR_SHARE_LIMITS: each entry must be key=N',
      ],
      [
        { FAIR_SHARE_KEY: 'targetAgent', FAIR_SHARE_LIMIT: '1', FAIR_SHARE_LIMITS: 'big=0' },
        'Invalid FAIR_SHARE_LIMITS',
      ],
      [
        { FAIR_SHARE_KEY: 'targetAgent', FAIR_SHARE_LIMIT: '1', FAIR_SHARE_LIMITS: 'a=1,a=2' },
        'Invalid FAIR_SHARE_LIMITS: key "a" is given twice',
      ],
    ])('refuses %j', (env, message) => {
      expect(configError(env as Record<string, string>).message).toContain(message);
    });
  });

  describe('retention', () => {
    it('keeps everything by default', () => {
      expect(loadConfig({}).retention).toMatchObject({ finishedAgeMs: 0, testFinishedAgeMs: 0 });
    });

    it('reads ages in minutes; test handoffs follow production unless set', () => {
      expect(loadConfig({ HANDOFF_RETENTION_MINUTES: '1440' }).retention).toEqual({
        finishedAgeMs: 86_400_000,
        testFinishedAgeMs: 86_400_000,
        batchSize: 200,
        intervalMs: 60_000,
      });
      expect(
        loadConfig({
          HANDOFF_RETENTION_MINUTES: '1440',
          TEST_HANDOFF_RETENTION_MINUTES: '60',
          HANDOFF_RETENTION_BATCH: '50',
        }).retention,
      ).toMatchObject({
        finishedAgeMs: 86_400_000,
        testFinishedAgeMs: 3_600_000,
        batchSize: 50,
      });
    });

    it.each([
      [{ HANDOFF_RETENTION_MINUTES: '1.5' }, 'Invalid HANDOFF_RETENTION_MINUTES: expected a whole number'],
      [{ HANDOFF_RETENTION_BATCH: '0' }, 'Invalid HANDOFF_RETENTION_BATCH'],
      [{ TEST_HANDOFF_RETENTION_MINUTES: 'soon' }, 'Invalid TEST_HANDOFF_RETENTION_MINUTES'],
    ])('refuses %j', (env, message) => {
      expect(configError(env as Record<string, string>).message).toContain(message);
    });
  });

  it('parses WEBHOOK_ALLOW_HOSTS into lower-case host names', () => {
    expect(loadConfig({ WEBHOOK_ALLOW_HOSTS: ' Hooks.Example.com, ,api.example.org ' }).webhookAllowList).toEqual([
      'hooks.example.com',
      'api.example.org',
    ]);
  });

  it('reads OUTBOUND_ALLOW_PRIVATE as true, false or allow-listed hosts, and WEBHOOK_STEP_SECRET', () => {
    expect(loadConfig({})).toMatchObject({ outboundAllowPrivate: false, webhookStepSecret: null });
    expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE: 'true' }).outboundAllowPrivate).toBe(true);
    expect(
      loadConfig({ WEBHOOK_ALLOW_HOSTS: 'hooks.internal,[::1]', OUTBOUND_ALLOW_PRIVATE: 'Hooks.Internal, [::1]' })
        .outboundAllowPrivate,
    ).toEqual(['hooks.internal', '::1']);
    expect(() => loadConfig({ WEBHOOK_ALLOW_HOSTS: 'a.example', OUTBOUND_ALLOW_PRIVATE: 'b.example' })).toThrow(
      'Invalid OUTBOUND_ALLOW_PRIVATE: expected true, false or hosts that WEBHOOK_ALLOW_HOSTS lists; b.example is not listed there',
    );
    expect(loadConfig({ WEBHOOK_STEP_SECRET: 'whsec_0123456789abcdef' }).webhookStepSecret).toBe(
      'whsec_0123456789abcdef',
    );
    expect(() => loadConfig({ WEBHOOK_STEP_SECRET: 'short' })).toThrow(
      'Invalid WEBHOOK_STEP_SECRET: must be at least 16 characters',
    );
  });

  it('reads ALLOWED_HOSTS and WS_MAX_PENDING_MESSAGES', () => {
    expect(loadConfig({})).toMatchObject({ allowedHosts: [], wsMaxPendingMessages: 256 });
    expect(loadConfig({ ALLOWED_HOSTS: 'Handoff.Internal, ', WS_MAX_PENDING_MESSAGES: '64' })).toMatchObject({
      allowedHosts: ['handoff.internal'],
      wsMaxPendingMessages: 64,
    });
    expect(() => loadConfig({ WS_MAX_PENDING_MESSAGES: '2' })).toThrow('Invalid WS_MAX_PENDING_MESSAGES');
  });

  it('reads the webhook delivery settings, with defaults, and refuses out-of-range values', () => {
    expect(loadConfig({})).toMatchObject({
      webhookMaxAttempts: 8,
      webhookRetryInitialMs: 1_000,
      webhookTimeoutMs: 5_000,
      webhookPollMs: 250,
      webhookLogRetentionMs: 7 * 24 * 3_600_000,
    });
    expect(loadConfig({ WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_POLL_MS: '20' })).toMatchObject({
      webhookMaxAttempts: 3,
      webhookPollMs: 20,
    });
    expect(() => loadConfig({ WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(
      'Invalid WEBHOOK_MAX_ATTEMPTS: must be between 1 and 100, got 0',
    );
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow('Invalid WEBHOOK_TIMEOUT_MS');
  });
  it('reads the insight settings, with defaults, and refuses out-of-range values', () => {
    expect(loadConfig({})).toMatchObject({
      insight: true,
      insightMinuteRetentionMs: 7 * 86_400_000,
      insightHourRetentionMs: 365 * 86_400_000,
      insightPollMs: 1_000,
    });
    expect(loadConfig({ INSIGHT: '0', INSIGHT_MINUTE_RETENTION_DAYS: '2', INSIGHT_POLL_MS: '50' })).toMatchObject({
      insight: false,
      insightMinuteRetentionMs: 2 * 86_400_000,
      insightPollMs: 50,
    });
    expect(configError({ INSIGHT: 'yes' }).message).toMatch(/^Invalid INSIGHT/);
    expect(configError({ INSIGHT_HOUR_RETENTION_DAYS: '0' }).message).toMatch(/^Invalid INSIGHT_HOUR_RETENTION_DAYS/);
  });

  it('traces only when an OTLP endpoint is named, the traces endpoint over the base one', () => {
    expect(loadConfig({})).toMatchObject({ otlpTracesEndpoint: null, otelServiceName: 'handoff' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlpTracesEndpoint).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/v1/traces',
        OTEL_SERVICE_NAME: 'handoff-eu',
      }),
    ).toMatchObject({ otlpTracesEndpoint: 'https://traces.example/v1/traces', otelServiceName: 'handoff-eu' });
    expect(configError({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).message).toMatch(
      /^Invalid OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it('reads the A2A settings, with defaults, and refuses a public URL that is not a plain http(s) base', () => {
    expect(loadConfig({})).toMatchObject({ a2aCardRefreshMs: 15_000, a2aPollMaxMs: 5_000, a2aPublicUrl: null });
    expect(
      loadConfig({ A2A_CARD_REFRESH_MS: '60000', A2A_POLL_MAX_MS: '1000', A2A_PUBLIC_URL: 'https://h.example.com/' }),
    ).toMatchObject({ a2aCardRefreshMs: 60_000, a2aPollMaxMs: 1_000, a2aPublicUrl: 'https://h.example.com' });
    expect(() => loadConfig({ A2A_PUBLIC_URL: 'ftp://h.example.com' })).toThrow('Invalid A2A_PUBLIC_URL');
    expect(() => loadConfig({ A2A_PUBLIC_URL: 'https://h.example.com/?x=1' })).toThrow('Invalid A2A_PUBLIC_URL');
    expect(() => loadConfig({ A2A_CARD_REFRESH_MS: '10' })).toThrow('Invalid A2A_CARD_REFRESH_MS');
  });
});
