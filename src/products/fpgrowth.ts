/**
 * Frequent itemsets by FP-growth (Han, Pei & Yin 2000, "Mining frequent patterns without
 * candidate generation", SIGMOD): the weighted baskets are compressed into a prefix tree (the
 * FP-tree), and the itemsets ending in each item are mined from that item's conditional tree,
 * built from the prefix paths above its nodes, without generating candidates.
 *
 * Items are ranks 0..F-1 (0 = the most frequent item); every basket lists its ranks in ascending
 * order. A tree is built from its baskets sorted lexicographically, so each basket shares the
 * path of the previous one as far as their common prefix goes and no child lookup is needed.
 */

/** Baskets as ranks: basket b holds items[offsets[b] .. offsets[b+1]) and occurs weights[b] times. */
export interface WeightedBaskets {
  readonly items: Int32Array;
  readonly offsets: Int32Array;
  readonly weights: Float64Array;
}

/** A frequent itemset: its item ranks in ascending order and the number of baskets holding it. */
export interface Itemset {
  readonly items: readonly number[];
  readonly count: number;
}

interface Tree {
  readonly size: number;
  readonly item: Int32Array;
  readonly count: Float64Array;
  readonly parent: Int32Array;
  /** Next node of the same item (-1 = none). */
  readonly next: Int32Array;
  /** First node of each item rank (-1 = none) and each item's total count. */
  readonly head: Int32Array;
  readonly total: Float64Array;
}

interface Path {
  readonly items: Int32Array;
  readonly weight: number;
}

function compare(a: Int32Array, b: Int32Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Builds the tree over ranks below `width` from paths sorted lexicographically. */
function buildTree(paths: readonly Path[], width: number): Tree {
  let nodes = 1;
  for (const p of paths) nodes += p.items.length;
  const item = new Int32Array(nodes).fill(-1);
  const count = new Float64Array(nodes);
  const parent = new Int32Array(nodes).fill(-1);
  const next = new Int32Array(nodes).fill(-1);
  const head = new Int32Array(width).fill(-1);
  const total = new Float64Array(width);
  let size = 1;
  // The node of each position along the previous path.
  const pathNodes: number[] = [];
  let prev: Int32Array = new Int32Array(0);
  for (const p of paths) {
    let common = 0;
    while (common < p.items.length && common < prev.length && p.items[common] === prev[common]) common++;
    pathNodes.length = common;
    for (let d = 0; d < p.items.length; d++) {
      const it = p.items[d] ?? 0;
      let node: number;
      if (d < common) node = pathNodes[d] ?? 0;
      else {
        node = size++;
        item[node] = it;
        parent[node] = d === 0 ? 0 : (pathNodes[d - 1] ?? 0);
        next[node] = head[it] ?? -1;
        head[it] = node;
        pathNodes.push(node);
      }
      count[node] = (count[node] ?? 0) + p.weight;
      total[it] = (total[it] ?? 0) + p.weight;
    }
    prev = p.items;
  }
  return { size, item, count, parent, next, head, total };
}

/** Options of a run: the minimum count of a frequent itemset and the largest itemset wanted. */
export interface MineOptions {
  readonly minCount: number;
  readonly maxLength: number;
}

/**
 * Every itemset held by at least minCount baskets, up to maxLength items, with its count.
 * The baskets' items must be ranks below `width`, ascending within each basket.
 */
export function fpGrowth(baskets: WeightedBaskets, width: number, opts: MineOptions): Itemset[] {
  const paths: Path[] = [];
  for (let b = 0; b + 1 < baskets.offsets.length; b++) {
    const from = baskets.offsets[b] ?? 0;
    const to = baskets.offsets[b + 1] ?? 0;
    if (to > from) paths.push({ items: baskets.items.subarray(from, to), weight: baskets.weights[b] ?? 0 });
  }
  paths.sort((a, b) => compare(a.items, b.items));
  const out: Itemset[] = [];
  if (opts.maxLength < 1) return out;
  mine(buildTree(paths, width), [], opts, out);
  return out;
}

function mine(tree: Tree, suffix: readonly number[], opts: MineOptions, out: Itemset[]): void {
  const width = tree.head.length;
  const seen = new Float64Array(width);
  // Least frequent first, as in the paper; each item's itemsets use only the items before it.
  for (let it = width - 1; it >= 0; it--) {
    const total = tree.total[it] ?? 0;
    if (total < opts.minCount) continue;
    const itemset = [it, ...suffix];
    out.push({ items: itemset, count: total });
    if (itemset.length >= opts.maxLength) continue;
    // The conditional pattern base: the prefix path above each node of the item.
    seen.fill(0, 0, it);
    const base: Array<{ nodes: number[]; weight: number }> = [];
    for (let node = tree.head[it] ?? -1; node >= 0; node = tree.next[node] ?? -1) {
      const weight = tree.count[node] ?? 0;
      const nodes: number[] = [];
      for (let p = tree.parent[node] ?? 0; p > 0; p = tree.parent[p] ?? 0) {
        const pi = tree.item[p] ?? 0;
        nodes.push(pi);
        seen[pi] = (seen[pi] ?? 0) + weight;
      }
      if (nodes.length > 0) base.push({ nodes, weight });
    }
    const condPaths: Path[] = [];
    for (const { nodes, weight } of base) {
      let kept = 0;
      for (const x of nodes) if ((seen[x] ?? 0) >= opts.minCount) kept++;
      if (kept === 0) continue;
      const items = new Int32Array(kept);
      // Walked from the node up to the root: descending ranks, stored ascending.
      let k = kept;
      for (const x of nodes) if ((seen[x] ?? 0) >= opts.minCount) items[--k] = x;
      condPaths.push({ items, weight });
    }
    if (condPaths.length === 0) continue;
    condPaths.sort((a, b) => compare(a.items, b.items));
    mine(buildTree(condPaths, it), itemset, opts, out);
  }
}
