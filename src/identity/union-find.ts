/**
 * Union-find over nodes 0..n-1 with do-not-merge constraints.
 * Edges are applied in the order given; a union that would put a forbidden pair into one
 * set is refused, so with a canonical edge order the result is a pure function of the graph.
 */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;
  /** For each root with constraints: the nodes it must never join. */
  private readonly forbidden = new Map<number, Set<number>>();

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  /** The representative of x's set. */
  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root] ?? root;
    let cur = x;
    while (this.parent[cur] !== root) {
      const next = this.parent[cur] ?? root;
      this.parent[cur] = root;
      cur = next;
    }
    return root;
  }

  /** Declares that a and b must never end up in one set. */
  forbid(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    this.addForbidden(ra, rb);
    this.addForbidden(rb, ra);
  }

  private addForbidden(root: number, other: number): void {
    let set = this.forbidden.get(root);
    if (set === undefined) {
      set = new Set();
      this.forbidden.set(root, set);
    }
    set.add(other);
  }

  /** Joins the sets of a and b; returns false when they were one already or the join is forbidden. */
  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    const fa = this.forbidden.get(ra);
    if (fa !== undefined) {
      for (const other of fa) if (this.find(other) === rb) return false;
    }
    if ((this.size[ra] ?? 0) < (this.size[rb] ?? 0)) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra] = (this.size[ra] ?? 0) + (this.size[rb] ?? 0);
    const fb = this.forbidden.get(rb);
    if (fb !== undefined) {
      for (const other of fb) this.addForbidden(ra, other);
      this.forbidden.delete(rb);
    }
    return true;
  }
}
