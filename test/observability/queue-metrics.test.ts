import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { KeyDepth } from '../../src/engine/kernel/scheduler/handoff-queue.js';
import { boundedKeyDepths, registerQueueMetrics } from '../../src/observability/queue-metrics.js';

const depth = (key: string | null, waiting: number, running: number): KeyDepth => ({
  key,
  waiting,
  running,
  limit: key === null ? null : 1,
});

describe('queue depth on /metrics', () => {
  it('names the top N keys and adds the rest up under (other)', () => {
    const depths = [depth('a', 5, 1), depth(null, 3, 2), depth('b', 2, 1), depth('c', 1, 1)];
    expect(boundedKeyDepths(depths, 2)).toEqual([
      { key: 'a', waiting: 5, running: 1 },
      { key: '(none)', waiting: 3, running: 2 },
      { key: '(other)', waiting: 3, running: 2 },
    ]);
    expect(boundedKeyDepths(depths, 10)).toHaveLength(4);
  });

  it('exports at most N + 1 label values however many keys wait', async () => {
    const registry = new Registry();
    const depths = Array.from({ length: 500 }, (_, i) => depth(`agent_${i}`, 500 - i, 1));
    registerQueueMetrics(registry, { depthByKey: () => depths }, 3);
    const text = await registry.metrics();
    const waitingLines = text.split('\n').filter((line) => line.startsWith('handoff_queue_waiting{'));
    expect(waitingLines).toEqual([
      'handoff_queue_waiting{key="agent_0"} 500',
      'handoff_queue_waiting{key="agent_1"} 499',
      'handoff_queue_waiting{key="agent_2"} 498',
      `handoff_queue_waiting{key="(other)"} ${(497 * 498) / 2}`,
    ]);
    expect(text).toContain('handoff_queue_running{key="(other)"} 497');
    expect(text).toContain('handoff_queue_keys 500');
  });
});
