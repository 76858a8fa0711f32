import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

/**
 * The PID namespace this process lives in: a pid means this process only within it (a container
 * sharing the host's name and a mounted DATA_DIR has pids of its own). Unknown off Linux.
 */
function pidNamespace(): string {
  try {
    return fs.readlinkSync('/proc/self/ns/pid').replace(/[^0-9]/g, '') || 'unknown';
  } catch {
    return 'unknown';
  }
}

const HERE = `${os.hostname()}/${pidNamespace()}`;

/**
 * Who this process is in handoff leases: host, PID namespace, pid and a random token (two engines
 * of one process, or a pid reused after a restart, still differ).
 */
export function processOwnerId(): string {
  return `${HERE}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/**
 * Whether a lease owner is a process of this machine and PID namespace that no longer runs: its
 * leases can be taken at once instead of after they expire. Owners anywhere else (another host, a
 * container, MongoDB peers) are never judged here: their leases run out.
 */
export function isGoneLocalProcess(owner: string): boolean {
  const parts = owner.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== HERE || parts[1] === 'unknown') return false;
  const pid = Number(parts[2]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
