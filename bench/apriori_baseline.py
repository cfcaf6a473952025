#!/usr/bin/env python3
"""Independent Apriori (Agrawal & Srikant 1994) in Python with numpy: the baseline of
bench/rules.js. Reads one basket per line (items comma-separated, no header), finds the frequent
itemsets level by level (candidates joined on a common prefix, pruned by their subsets, counted
with bitsets of baskets), and builds rules X => {y} as arules' apriori does. Thresholds are
exact fractions decided on counts. Prints one JSON document with the counts, the time of each
step and the CPU time of the whole process (interpreter start-up and imports included).

usage: apriori_baseline.py FILE MIN_SUPPORT MIN_CONFIDENCE [MIN_LENGTH] [MAX_LENGTH]
"""
import json
import resource
import sys
import time
from fractions import Fraction
from itertools import combinations

import numpy as np

# Bits set per row. numpy 2 counts them natively (np.bitwise_count); Debian 12's numpy (1.24)
# has no such function, so there each 16-bit half-word is counted through a table.
if hasattr(np, "bitwise_count"):
    def popcount_rows(words):
        return np.bitwise_count(words).sum(axis=1)
else:
    _POP16 = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.uint8)

    def popcount_rows(words):
        return _POP16[words.view(np.uint16)].sum(axis=1, dtype=np.int64)


def read_baskets(path):
    names = {}
    basket_of = []
    item_of = []
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            items = {x.strip() for x in line.rstrip("\n").split(",")}
            items.discard("")
            if not items:
                continue
            for x in items:
                i = names.get(x)
                if i is None:
                    i = names[x] = len(names)
                basket_of.append(n)
                item_of.append(i)
            n += 1
    return n, names, np.asarray(basket_of, dtype=np.int64), np.asarray(item_of, dtype=np.int64)


def bitsets(n, basket_of, item_of, items):
    """One row of packed bits per item: bit b set when basket b holds the item."""
    words = (n + 63) // 64
    out = np.zeros((len(items), words), dtype=np.uint64)
    order = np.argsort(item_of, kind="stable")
    sorted_items = item_of[order]
    sorted_baskets = basket_of[order]
    for row, item in enumerate(items):
        lo = np.searchsorted(sorted_items, item, side="left")
        hi = np.searchsorted(sorted_items, item, side="right")
        mask = np.zeros(words * 64, dtype=bool)
        mask[sorted_baskets[lo:hi]] = True
        out[row] = np.packbits(mask, bitorder="little").view(np.uint64)
    return out


def apriori(n, basket_of, item_of, min_count, max_length):
    counts = np.bincount(item_of)
    frequent = [int(i) for i in np.nonzero(counts >= min_count)[0]]
    bits = bitsets(n, basket_of, item_of, frequent)
    row = {item: r for r, item in enumerate(frequent)}
    found = {(item,): int(counts[item]) for item in frequent}
    level = sorted(found)
    k = 1
    while level and k < max_length:
        k += 1
        prefixes = {}
        for s in level:
            prefixes.setdefault(s[:-1], []).append(s[-1])
        known = set(level)
        nxt = []
        for prefix, lasts in prefixes.items():
            lasts.sort()
            if len(lasts) < 2:
                continue
            rows = [row[i] for i in prefix]
            for a_pos, a in enumerate(lasts[:-1]):
                base_items = prefix + (a,)
                # Candidates: join with every later item of the same prefix, pruned by subsets.
                cands = []
                for b in lasts[a_pos + 1:]:
                    c = base_items + (b,)
                    if all(c[:j] + c[j + 1:] in known for j in range(len(c) - 2)):
                        cands.append(b)
                if not cands:
                    continue
                base = bits[row[a]].copy()
                for r in rows:
                    base &= bits[r]
                got = popcount_rows(bits[[row[b] for b in cands]] & base)
                for b, cnt in zip(cands, got):
                    if cnt >= min_count:
                        c = base_items + (b,)
                        found[c] = int(cnt)
                        nxt.append(c)
        level = sorted(nxt)
    return found


def rules(found, n, min_conf, min_length, max_length):
    out = []
    for s, cnt in found.items():
        if not (min_length <= len(s) <= max_length):
            continue
        for j, y in enumerate(s):
            lhs = s[:j] + s[j + 1:]
            lhs_count = found[lhs] if lhs else n
            if Fraction(cnt, lhs_count) >= min_conf:
                out.append((lhs, y, cnt, lhs_count, found[(y,)]))
    return out


def process_cpu():
    """CPU seconds of this process so far (all threads, start-up and imports included)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    path = sys.argv[1]
    min_support = Fraction(sys.argv[2])
    min_conf = Fraction(sys.argv[3])
    min_length = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    max_length = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    t0, c0 = time.perf_counter(), time.process_time()
    n, names, basket_of, item_of = read_baskets(path)
    t1, c1 = time.perf_counter(), time.process_time()
    min_count = max(1, -((-min_support.numerator * n) // min_support.denominator))
    found = apriori(n, basket_of, item_of, min_count, max_length)
    t2, c2 = time.perf_counter(), time.process_time()
    rs = rules(found, n, min_conf, min_length, max_length)
    t3, c3 = time.perf_counter(), time.process_time()
    label = {i: x for x, i in names.items()}
    by_length = {}
    for lhs, _y, _c, _l, _r in rs:
        by_length[str(len(lhs) + 1)] = by_length.get(str(len(lhs) + 1), 0) + 1
    top = sorted(rs, key=lambda r: (-Fraction(r[2] * n, r[3] * r[4]), -r[2], -Fraction(r[2], r[3])))[:5]
    print(json.dumps({
        "python": sys.executable,
        "numpy": np.__version__,
        "baskets": n,
        "items": len(names),
        "min_count": min_count,
        "frequent_itemsets": len(found),
        "rule_count": len(rs),
        "counts_by_length": dict(sorted(by_length.items())),
        "top": [{"antecedent": sorted(label[i] for i in lhs), "consequent": [label[y]], "count": c, "lift": c * n / (l * r)} for lhs, y, c, l, r in top],
        "seconds": {"read": round(t1 - t0, 3), "itemsets": round(t2 - t1, 3), "rules": round(t3 - t2, 3), "total": round(t3 - t0, 3), "process_cpu": round(process_cpu(), 3)},
        "cpu_seconds": {"read": round(c1 - c0, 3), "itemsets": round(c2 - c1, 3), "rules": round(c3 - c2, 3)},
    }))


if __name__ == "__main__":
    main()
