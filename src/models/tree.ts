/**
 * A depth-limited decision tree (CART, Gini impurity) that explains what separates a group of
 * members from the rest, printed as rules over raw feature values.
 */

/** A condition on one feature. */
export interface Condition {
  feature: string;
  op: '<=' | '>';
  value: number;
}

/** A leaf of the tree as a rule: the conditions on its path and how many members it holds. */
export interface Rule {
  conditions: Condition[];
  members: number;
  inGroup: number;
  /** Share of the leaf's members in the group. */
  precision: number;
}

/** The rules of the leaves where group members are the majority, and the tree's accuracy. */
export interface Explanation {
  rules: Rule[];
  /** Share of the group's members covered by those rules. */
  recall: number;
  accuracy: number;
  groupSize: number;
}

const gini = (pos: number, n: number): number => (n === 0 ? 0 : 1 - (pos / n) ** 2 - ((n - pos) / n) ** 2);

/**
 * Grows a tree of at most maxDepth levels on raw features (names[j] for columns[j]); split points
 * are up to 32 quantiles of each feature at the node; a leaf keeps at least minLeaf members.
 */
export function explain(columns: readonly Float64Array[], names: readonly string[], inGroup: Uint8Array, maxDepth = 3, minLeaf = 0): Explanation {
  const n = inGroup.length;
  const leafMin = Math.max(1, minLeaf || Math.ceil(n * 0.01));
  const rules: Rule[] = [];
  let correct = 0;
  const grow = (idx: Int32Array, depth: number, path: Condition[]): void => {
    let pos = 0;
    for (const i of idx) pos += inGroup[i] ?? 0;
    const size = idx.length;
    const here = gini(pos, size);
    let best: { j: number; t: number; score: number } | null = null;
    if (depth < maxDepth && here > 0 && size >= 2 * leafMin) {
      for (let j = 0; j < columns.length; j++) {
        const col = columns[j];
        if (col === undefined) continue;
        const values = Float64Array.from(idx, (i) => col[i] ?? 0).sort();
        const tried = new Set<number>();
        for (let q = 1; q < 32; q++) {
          const t = values[Math.floor((q * values.length) / 32)] ?? 0;
          if (tried.has(t)) continue;
          tried.add(t);
          let nl = 0;
          let pl = 0;
          for (const i of idx) {
            if ((col[i] ?? 0) <= t) {
              nl++;
              pl += inGroup[i] ?? 0;
            }
          }
          const nr = size - nl;
          if (nl < leafMin || nr < leafMin) continue;
          const score = (nl * gini(pl, nl) + nr * gini(pos - pl, nr)) / size;
          if (score < here - 1e-12 && (best === null || score < best.score)) best = { j, t, score };
        }
      }
    }
    if (best === null) {
      const majority = pos * 2 > size;
      correct += majority ? pos : size - pos;
      if (majority) rules.push({ conditions: simplify(path), members: size, inGroup: pos, precision: pos / size });
      return;
    }
    const { j, t } = best;
    const col = columns[j];
    const name = names[j] ?? `f${j}`;
    const left = idx.filter((i) => (col?.[i] ?? 0) <= t);
    const right = idx.filter((i) => (col?.[i] ?? 0) > t);
    grow(left, depth + 1, [...path, { feature: name, op: '<=', value: t }]);
    grow(right, depth + 1, [...path, { feature: name, op: '>', value: t }]);
  };
  grow(
    Int32Array.from({ length: n }, (_, i) => i),
    0,
    [],
  );
  let group = 0;
  for (const v of inGroup) group += v;
  const covered = rules.reduce((s, r) => s + r.inGroup, 0);
  return { rules: rules.sort((a, b) => b.inGroup - a.inGroup), recall: group === 0 ? 0 : covered / group, accuracy: n === 0 ? 0 : correct / n, groupSize: group };
}

/** Keeps the tightest bound of each feature in each direction (a path may split on a feature twice). */
function simplify(path: readonly Condition[]): Condition[] {
  const out: Condition[] = [];
  for (const c of path) {
    const same = out.findIndex((o) => o.feature === c.feature && o.op === c.op);
    const kept = out[same];
    if (kept === undefined) out.push(c);
    else out[same] = { ...kept, value: c.op === '<=' ? Math.min(kept.value, c.value) : Math.max(kept.value, c.value) };
  }
  return out;
}

/** A rule as one line: "occasions > 3 and recency_days <= 30: 1,234 members, 92% in the group". */
export function ruleText(r: Rule): string {
  const cond = r.conditions.length === 0 ? 'everyone' : r.conditions.map((c) => `${c.feature} ${c.op} ${Number.isInteger(c.value) ? c.value : c.value.toFixed(2)}`).join(' and ');
  return `${cond}: ${r.members.toLocaleString('en-US')} members, ${(r.precision * 100).toFixed(0)}% in the group`;
}
