import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isGoneLocalProcess, processOwnerId } from '../src/process-identity.js';

describe('process identity in leases', () => {
  it('judges gone only a process of this host and PID namespace whose pid no longer runs', () => {
    const mine = processOwnerId();
    expect(mine).not.toBe(processOwnerId());
    expect(isGoneLocalProcess(mine)).toBe(false);
    const [host, namespace] = mine.split('/');
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(exited.stdout);
    expect(isGoneLocalProcess(`${host}/${namespace}/${deadPid}/cafe`)).toBe(process.platform === 'linux');
    // the same pid seen from another PID namespace or host may be a live process there
    expect(isGoneLocalProcess(`${host}/4026000000/${deadPid}/cafe`)).toBe(false);
    expect(isGoneLocalProcess(`elsewhere/${namespace}/${deadPid}/cafe`)).toBe(false);
    expect(isGoneLocalProcess('process_a')).toBe(false);
  });
});
