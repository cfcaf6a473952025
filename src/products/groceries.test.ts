/**
 * Association rules on the Groceries baskets (Hahsler, Hornik & Reutterer 2006; 9,835
 * transactions, 169 items), through the CLI, against figures published for arules' apriori.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasets, ROOT, sandbox } from '../testing/index.js';

const groceries = datasets('groceries/groceries.csv');
const BIN = join(ROOT, 'bin', 'regulars.js');

interface RuleRow {
  antecedent: string[];
  consequent: string[];
  support: number;
  confidence: number;
  lift: number;
  count: number;
}
interface RulesDoc {
  params: Record<string, unknown>;
  from_store: boolean;
  result: { baskets: number; items: number; rule_count: number; counts_by_length: Record<string, number>; rules: RuleRow[] };
}

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const show = (r: RuleRow): string => `{${r.antecedent.join(',')}} => {${r.consequent.join(',')}}`;

test('Groceries: import --preset baskets, then analyze rules matches arules apriori at published settings', { skip: 'skip' in groceries ? groceries.skip : false }, async () => {
  if (!('path' in groceries)) return;
  const s = await sandbox();
  s.db.close();
  try {
    const db = join(s.dir, 'g.duckdb');
    const imported = JSON.parse(cli(['import', groceries.path, '--preset', 'baskets', '--date', '2024-03-01', '--db', db, '--json', '--rejects', join(s.dir, 'rj')])) as {
      files: Array<{ rows_read: number; guest: number; rejected: number }>;
    };
    const file = imported.files[0];
    assert.ok(file !== undefined);
    // Items counted straight from the file: one order line per comma-separated item.
    const text = readFileSync(groceries.path, 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 9835);
    assert.equal(
      file.rows_read,
      lines.reduce((a, l) => a + l.split(',').length, 0),
    );
    assert.equal(file.guest, file.rows_read, 'every item is a line of a guest order');
    assert.equal(file.rejected, 0);

    const rules = (support: string, confidence: string, extra: string[] = []): RulesDoc =>
      JSON.parse(cli(['analyze', 'rules', '--min-support', support, '--min-confidence', confidence, ...extra, '--db', db, '--json'])) as RulesDoc;

    // R prints these measures with 7 significant digits; they are compared as printed.
    const printed = (r: RuleRow): string[] => [r.support.toPrecision(7), r.confidence.toPrecision(7), r.lift.toPrecision(7)];

    // apriori(Groceries, parameter = list(supp = 0.001, conf = 0.5)) gives "set of 5668 rules":
    // the arulesViz vignette (Hahsler & Chelluboina, "Visualizing Association Rules: Introduction
    // to the R-extension Package arulesViz", section 2, "Data preparation and unified interface
    // of arulesViz") mines these settings and prints the count; the rule length distribution
    // (lhs + rhs) 2: 11, 3: 1461, 4: 3211, 5: 939, 6: 46 is printed by summary(rules) in Yu-Wei
    // Chiu, "Machine Learning with R Cookbook" (Packt 2015), chapter 10, recipe "Mining
    // associations with the Apriori rule". The same chapter's recipe "Pruning redundant rules"
    // lists the rules sorted by lift (the highest-lift rules are never pruned): {Instant food
    // products, soda} => {hamburger meat} 0.001220132 0.6315789 18.99565; {soda, popcorn} =>
    // {salty snack} 0.001220132 0.6315789 16.69779; {flour, baking powder} => {sugar}
    // 0.001016777 0.5555556 16.40807 (support, confidence, lift).
    const a = rules('0.001', '0.5');
    assert.equal(a.result.baskets, 9835);
    assert.equal(a.result.items, 169, 'item names are trimmed: "cream cheese " and "roll products " stay one item each');
    assert.equal(a.result.rule_count, 5668);
    assert.deepEqual(a.result.counts_by_length, { '2': 11, '3': 1461, '4': 3211, '5': 939, '6': 46 });
    assert.equal(a.result.rules.length, 5668);
    const top = a.result.rules.slice(0, 3);
    assert.deepEqual(top.map(show), ['{Instant food products,soda} => {hamburger meat}', '{popcorn,soda} => {salty snack}', '{baking powder,flour} => {sugar}']);
    assert.deepEqual(top.map(printed), [
      ['0.001220132', '0.6315789', '18.99565'],
      ['0.001220132', '0.6315789', '16.69779'],
      ['0.001016777', '0.5555556', '16.40807'],
    ]);
    // Brett Lantz, "Machine Learning with R" (Packt 2013), chapter 8, "Finding Patterns - Market
    // Basket Analysis Using Association Rules", on this file (groceries.csv):
    // apriori(groceries, parameter = list(support = 0.006, confidence = 0.25, minlen = 2)) gives
    // "set of 463 rules" with rule length distribution 2: 150, 3: 297, 4: 16 ("Step 4 -
    // evaluating model performance"); sorted by lift, the first two are {herbs} => {root
    // vegetables} 0.007015760 0.4312500 3.956477 and {berries} => {whipped/sour cream}
    // 0.009049314 0.2721713 3.796886 ("Step 5 - improving model performance").
    const b = rules('0.006', '0.25', ['--min-length', '2']);
    assert.equal(b.result.rule_count, 463);
    assert.deepEqual(b.result.counts_by_length, { '2': 150, '3': 297, '4': 16 });
    const best = b.result.rules.slice(0, 2);
    assert.deepEqual(best.map(show), ['{herbs} => {root vegetables}', '{berries} => {whipped/sour cream}']);
    assert.deepEqual(best.map(printed), [
      ['0.007015760', '0.4312500', '3.956477'],
      ['0.009049314', '0.2721713', '3.796886'],
    ]);

    // Sorted by lift, then support, then confidence, then text.
    for (let i = 1; i < a.result.rules.length; i++) {
      const p = a.result.rules[i - 1];
      const q = a.result.rules[i];
      assert.ok(p !== undefined && q !== undefined);
      assert.ok(p.lift > q.lift || (p.lift === q.lift && (p.support > q.support || (p.support === q.support && p.confidence >= q.confidence))), `order at ${i}`);
    }

    // Pair rules checked against pairs counted straight from the file (independent of the store).
    const baskets = lines.map((l) => [...new Set(l.split(',').map((x) => x.trim()))]);
    const single = new Map<string, number>();
    const pairs = new Map<string, number>();
    for (const items of baskets) {
      for (const x of items) single.set(x, (single.get(x) ?? 0) + 1);
      for (const x of items) for (const y of items) if (x !== y) pairs.set(`${x}\t${y}`, (pairs.get(`${x}\t${y}`) ?? 0) + 1);
    }
    // support >= 0.005 means count >= 49.175, i.e. 50; confidence >= 0.1 means count x 10 >= count(x).
    let expectedPairs = 0;
    for (const [k, n] of pairs) if (n >= 50 && n * 10 >= (single.get(k.split('\t')[0] ?? '') ?? 0)) expectedPairs++;
    const c = rules('0.005', '0.1', ['--max-length', '2']);
    assert.equal(c.result.rule_count, expectedPairs);
    assert.deepEqual(Object.keys(c.result.counts_by_length), ['2']);

    // The stored result is keyed by its parameters: asking again reads it, other thresholds do not.
    assert.equal(rules('0.006', '0.25', ['--min-length', '2']).from_store, true);
    assert.equal(rules('0.006', '0.3').from_store, false);
  } finally {
    s.close();
  }
});
