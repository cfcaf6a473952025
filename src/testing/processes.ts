/** Regulars as a separate process, as users run it: the CLI and `serve`, for multi-process tests. */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './index.js';

const BIN = join(ROOT, 'bin', 'regulars.js');

/** Runs one CLI command; resolves with its exit code and output (never rejects on a non-zero exit). */
export function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running `regulars serve`: its URL, and stop() to end it (SIGTERM, then SIGKILL). */
export interface Served {
  url: string;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/** Starts `regulars serve ARGS --port 0` and waits until it says where it listens. */
export function serveProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in 60 s:\n${log}`));
    }, 60_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      const m = /at (http:\/\/[^\s]+) \(API docs/.exec(log);
      if (m !== null) {
        clearTimeout(timer);
        resolve({
          url: m[1] ?? '',
          child,
          log: () => log,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
              child.once('exit', () => {
                clearTimeout(kill);
                done();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', (d: Buffer) => {
      log += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${String(code)} before listening:\n${log}`));
    });
  });
}

/**
 * Starts several servers at once (as a load balancer's pool starts). When any fails to start,
 * the others are stopped before the error is raised, so a failed start never leaves a process
 * that keeps the test from ending.
 */
export async function serveProcesses(argsList: ReadonlyArray<readonly string[]>, env: NodeJS.ProcessEnv = {}): Promise<Served[]> {
  const started = await Promise.allSettled(argsList.map((args) => serveProcess(args, env)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed === undefined) return started.map((r) => (r as PromiseFulfilledResult<Served>).value);
  for (const r of started) if (r.status === 'fulfilled') await r.value.stop();
  throw failed.reason;
}
