import { readFileSync } from 'node:fs';

/** Names the process holding a lock: its PID and, where the OS tells, its command line. */
export function describeLockHolder(pid: number, program: string): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    if (cmd) return `PID ${pid}: ${cmd}`;
  } catch {
    // not Linux, or the process is gone: fall back to what DuckDB said
  }
  return `PID ${pid}: ${program}`;
}
