/**
 * Loyalty scenarios for tests: a programme on a fresh operational store (SQLite or PostgreSQL),
 * a clock the scenario moves, and the steps a till, a shop or a job takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../core/clock.js';
import type { OpStore } from '../ops/index.js';
import { checkLedger, parseProgramme, saveProgramme, type ProgrammeConfig } from '../loyalty/index.js';
import { ENGINES, opSandbox, type EngineName, type OpSandbox } from './ops.js';

/** A clock tests move by hand. */
export interface MovableClock extends Clock {
  set(at: string): void;
}

/** A clock starting at `at` that tests can move. */
export function movableClock(at: string): MovableClock {
  let cur = new Date(at);
  return {
    now: () => new Date(cur.getTime()),
    set: (a: string) => {
      cur = new Date(a);
    },
  };
}

/** A programme with the defaults of PRODUCT.md and the given overrides. */
export function programme(overrides: Record<string, unknown> = {}): ProgrammeConfig {
  const p = parseProgramme({ programme_id: 'p1', name: 'Test programme', starts_on: '2020-01-01', ...overrides });
  if (!p.ok) throw new Error(p.error.errors.join('; '));
  return p.config;
}

export interface LoyaltyWorld {
  engine: EngineName;
  box: OpSandbox;
  store: OpStore;
  clock: MovableClock;
  config: ProgrammeConfig;
}

/**
 * One test per engine: a fresh store with the programme saved; after the body the ledger's
 * consistency check must pass.
 */
export function loyaltyTest(name: string, config: ProgrammeConfig, start: string, body: (w: LoyaltyWorld) => Promise<void>): void {
  for (const engine of ENGINES) {
    test(`${engine}: ${name}`, async (t) => {
      const box = await opSandbox(engine);
      if ('skip' in box) return t.skip(box.skip);
      try {
        const clock = movableClock(start);
        await saveProgramme(box.store, config, clock.now());
        await body({ engine, box, store: box.store, clock, config });
        const check = await checkLedger(box.store, config.programme_id);
        assert.deepEqual(check.problems, [], 'the ledger equals the lots');
      } finally {
        await box.close();
      }
    });
  }
}

/** An order of product lines (amounts as decimal text) paid at `paid_at`. */
export function order(
  id: string,
  paid_at: string,
  lines: Array<string | { amount: string; category?: string; kind?: 'product' | 'postage' | 'fee' | 'other'; sku?: string }>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { order_id: id, paid_at, lines: lines.map((l) => (typeof l === 'string' ? { amount: l } : l)), ...extra };
}

/** A deterministic shuffle (no Math.random in tests either). */
export function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const a = [...xs];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    const t = a[i];
    const u = a[j];
    if (t !== undefined && u !== undefined) {
      a[i] = u;
      a[j] = t;
    }
  }
  return a;
}
