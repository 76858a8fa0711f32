import { randomBytes } from 'node:crypto';
import os from 'node:os';

/**
 * Who this process is in handoff leases: host, pid and a random token (two engines of one
 * process, or a pid reused after a restart, still differ).
 */
export function processOwnerId(): string {
  return `${os.hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/**
 * Whether a lease owner is a process of this machine that no longer runs: its leases can be taken
 * at once instead of after they expire. Owners of other machines (MongoDB) are never judged here.
 */
export function isGoneLocalProcess(owner: string): boolean {
  const [host, pidText] = owner.split('/');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
