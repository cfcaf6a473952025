/**
 * Frequent itemsets by FP-growth (Han, Pei & Yin 2000, "Mining frequent patterns without
 * candidate generation", SIGMOD): the weighted baskets are compressed into a prefix tree (the
 * FP-tree), and the itemsets ending in each item are mined from that item's conditional tree,
 * built from the prefix paths above its nodes, without generating candidates.
 *
 * Items are ranks 0..F-1 (0 = the most frequent item); every basket lists its ranks in ascending
 * order. A tree lives in flat typed arrays (item, count, parent, the next node of the same item)
 * and finds a node's child through an open-addressing table keyed by (parent, item), so a basket
 * is inserted in one pass, without sorting the baskets first and without an object per node.
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
  readonly item: Int32Array;
  readonly count: Float64Array;
  readonly parent: Int32Array;
  /** Next node of the same item (-1 = none). */
  readonly next: Int32Array;
  /** First node of each item rank (-1 = none) and each item's total count. */
  readonly head: Int32Array;
  readonly total: Float64Array;
}

/** A tree being built for at most `capacity` nodes besides the root (node 0) over ranks below `width`. */
class TreeBuilder implements Tree {
  readonly item: Int32Array;
  readonly count: Float64Array;
  readonly parent: Int32Array;
  readonly next: Int32Array;
  readonly head: Int32Array;
  readonly total: Float64Array;
  /** Child lookup: node ids (-1 = empty slot), probed linearly from the hash of (parent, item). */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private size = 1;

  constructor(capacity: number, width: number) {
    const n = capacity + 1;
    this.item = new Int32Array(n).fill(-1);
    this.count = new Float64Array(n);
    this.parent = new Int32Array(n).fill(-1);
    this.next = new Int32Array(n).fill(-1);
    this.head = new Int32Array(width).fill(-1);
    this.total = new Float64Array(width);
    let slots = 16;
    while (slots < 2 * n) slots *= 2;
    this.slots = new Int32Array(slots).fill(-1);
    this.mask = slots - 1;
  }

  /** Adds `weight` along the path of ranks src[from..to), ascending. */
  insert(src: Int32Array, from: number, to: number, weight: number): void {
    const { item, count, parent, next, head, total, slots, mask } = this;
    let node = 0;
    for (let i = from; i < to; i++) {
      const it = src[i] ?? 0;
      let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(it + 1, 0x85ebca77)) & mask;
      let child = slots[h] ?? -1;
      while (child >= 0 && (parent[child] !== node || item[child] !== it)) {
        h = (h + 1) & mask;
        child = slots[h] ?? -1;
      }
      if (child < 0) {
        child = this.size++;
        item[child] = it;
        parent[child] = node;
        next[child] = head[it] ?? -1;
        head[it] = child;
        slots[h] = child;
      }
      count[child] = (count[child] ?? 0) + weight;
      total[it] = (total[it] ?? 0) + weight;
      node = child;
    }
  }
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
  const out: Itemset[] = [];
  if (opts.maxLength < 1) return out;
  const tree = new TreeBuilder(baskets.items.length, width);
  for (let b = 0; b + 1 < baskets.offsets.length; b++) {
    const from = baskets.offsets[b] ?? 0;
    const to = baskets.offsets[b + 1] ?? 0;
    if (to > from) tree.insert(baskets.items, from, to, baskets.weights[b] ?? 0);
  }
  mine(tree, [], opts, out, new Int32Array(width));
  return out;
}

/** Mines the itemsets ending in each item of `tree`, followed by `suffix`; `path` is scratch room for one prefix path. */
function mine(tree: Tree, suffix: readonly number[], opts: MineOptions, out: Itemset[], path: Int32Array): void {
  const { item, count, parent, next, head, total } = tree;
  const width = head.length;
  const seen = new Float64Array(width);
  // Least frequent first, as in the paper; each item's itemsets use only the items before it.
  for (let it = width - 1; it >= 0; it--) {
    const support = total[it] ?? 0;
    if (support < opts.minCount) continue;
    const itemset = [it, ...suffix];
    out.push({ items: itemset, count: support });
    if (itemset.length >= opts.maxLength) continue;
    // The conditional pattern base is the prefix path above each node of the item: first the
    // count of every item on those paths, then the paths' frequent items into a new tree.
    seen.fill(0, 0, it);
    for (let node = head[it] ?? -1; node >= 0; node = next[node] ?? -1) {
      const weight = count[node] ?? 0;
      for (let p = parent[node] ?? 0; p > 0; p = parent[p] ?? 0) {
        const pi = item[p] ?? 0;
        seen[pi] = (seen[pi] ?? 0) + weight;
      }
    }
    let capacity = 0;
    for (let node = head[it] ?? -1; node >= 0; node = next[node] ?? -1) for (let p = parent[node] ?? 0; p > 0; p = parent[p] ?? 0) if ((seen[item[p] ?? 0] ?? 0) >= opts.minCount) capacity++;
    if (capacity === 0) continue;
    const cond = new TreeBuilder(capacity, it);
    for (let node = head[it] ?? -1; node >= 0; node = next[node] ?? -1) {
      // Walked from the node up to the root: descending ranks, inserted ascending.
      let k = it;
      for (let p = parent[node] ?? 0; p > 0; p = parent[p] ?? 0) {
        const pi = item[p] ?? 0;
        if ((seen[pi] ?? 0) >= opts.minCount) path[--k] = pi;
      }
      if (k < it) cond.insert(path, k, it, count[node] ?? 0);
    }
    mine(cond, itemset, opts, out, path);
  }
}
