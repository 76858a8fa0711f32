/**
 * The engine's modules and, for each, the other modules it may import (test/architecture.test.ts holds
 * the code to it). Every module may import the kernel and shared; the kernel imports no module.
 */
export const MODULE_DEPENDENCIES = {
  agents: [],
  validation: ['agents'],
  tasks: ['agents'],
  webhooks: [],
  a2a: ['agents', 'tasks'],
  bulk: [],
  reliability: ['agents'],
  insight: ['webhooks'],
} as const satisfies Record<string, readonly string[]>;
