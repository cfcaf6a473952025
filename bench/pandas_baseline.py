#!/usr/bin/env python3
"""pandas baseline for the analytics refresh benchmark (bench/refresh.js).

Reads the generator's orders.csv, order_lines.csv and returns.csv and computes, with the
definitions of src/analytics/rfm.sql and repeat.sql:
  - RFM as of D over the window of N days ending on D: recency, frequency (purchase occasions =
    distinct purchase days), monetary (product value of the window's purchases minus the
    customer's product returns dated in the window, floored at 0), 1-5 percent-rank scores,
    the 10-group map on (R, F) and the 8-group map against the buyers' means;
  - the second-purchase rate (default 45 days) by monthly first-occasion cohort.

The customer key is taken straight from the files: the channel account (channel, buyer_id).
With --members-map FILE (channel,buyer_id,member_id) accounts are mapped to members first, so
both sides use identical keys.

Money is read into integer ten-thousandths (the database keeps DECIMAL(18,4)), so sums and
ties are exact. Prints one JSON document: timings (read, compute), counts, results.
Exit code 3 with {"error": ...} when memory runs out (for example under prlimit --as).
"""
import argparse
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

UNITS = 10000  # DECIMAL(18,4)
CHUNK = 4_000_000
PAID = ('paid', 'shipped', 'completed')


def money_units(s):
    """Decimal amounts (at most 4 places) as exact int64 ten-thousandths."""
    return np.rint(s.to_numpy(dtype='float64') * UNITS).astype('int64')


def days(s):
    """'YYYY-MM-DD HH:MM:SS' shop-local timestamps as days since 1970-01-01 (int32)."""
    return pd.to_datetime(s, format='%Y-%m-%d %H:%M:%S').to_numpy().astype('datetime64[D]').astype('int32')


def read_typed(path, usecols, dtype, convert):
    """Reads a CSV in chunks, typing each chunk at once so raw text never piles up."""
    parts = [convert(c) for c in pd.read_csv(path, usecols=usecols, dtype=dtype, chunksize=CHUNK, keep_default_na=False, na_values=[''])]
    out = {}
    for col in parts[0].columns:
        if isinstance(parts[0][col].dtype, pd.CategoricalDtype):
            out[col] = pd.Series(union_categoricals([p[col] for p in parts]))
        else:
            out[col] = pd.Series(np.concatenate([p[col].to_numpy() for p in parts]))
    return pd.DataFrame(out)


def read_lines(path):
    def convert(c):
        product = c['line_type'].isna() | (c['line_type'] == 'product')
        if c['amount'].isna().any():
            raise ValueError('order_lines: amount missing; the baseline expects every line to carry its amount')
        c = c[product.to_numpy()]
        return pd.DataFrame({'channel': c['channel'], 'order_id': c['order_id'], 'amount': money_units(c['amount'])})
    return read_typed(path, ['channel', 'order_id', 'line_type', 'amount'],
                      {'channel': 'category', 'order_id': str, 'line_type': 'category', 'amount': 'float64'}, convert)


def read_orders(path):
    def convert(c):
        if c['status'].isna().any():
            raise ValueError('orders: status missing; the baseline expects every order to carry its status')
        paid = (c['paid_at'].notna() | c['status'].isin(PAID)) & c['buyer_id'].notna()
        c = c[paid.to_numpy()]
        return pd.DataFrame({'channel': c['channel'], 'order_id': c['order_id'], 'buyer_id': c['buyer_id'], 'day': days(c['created_at'])})
    return read_typed(path, ['channel', 'order_id', 'buyer_id', 'created_at', 'paid_at', 'status'],
                      {'channel': 'category', 'order_id': str, 'buyer_id': str, 'created_at': str, 'paid_at': str, 'status': 'category'}, convert)


def read_returns(path):
    def convert(c):
        product = c['line_type'].isna() | (c['line_type'] == 'product')
        c = c[(product & c['buyer_id'].notna()).to_numpy()]
        return pd.DataFrame({'channel': c['channel'], 'buyer_id': c['buyer_id'], 'day': days(c['returned_at']),
                             'amount': np.abs(money_units(c['amount']))})
    return read_typed(path, ['channel', 'buyer_id', 'line_type', 'amount', 'returned_at'],
                      {'channel': 'category', 'buyer_id': str, 'line_type': 'category', 'amount': 'float64', 'returned_at': str}, convert)


def customer_keys(purchases, returns, members):
    """One integer key per customer for purchases and returns, and the label of each key."""
    if members is None:
        both = pd.concat([purchases[['channel', 'buyer_id']], returns[['channel', 'buyer_id']]], ignore_index=True)
        both['channel'] = both['channel'].astype(str)
        codes, uniques = pd.MultiIndex.from_frame(both).factorize()
        n = len(purchases)
        labels = [f'{c}:{b}' for c, b in uniques]
        return codes[:n], codes[n:], labels
    # Accounts not in the map have no member (same as an identity without a member).
    keyed = []
    for frame in (purchases, returns):
        f = frame[['channel', 'buyer_id']].copy()
        f['channel'] = f['channel'].astype(str)
        keyed.append(f.merge(members, on=['channel', 'buyer_id'], how='left')['member_id'])
    codes, uniques = pd.factorize(pd.concat(keyed, ignore_index=True))
    n = len(purchases)
    return codes[:n], codes[n:], list(uniques)


def pct_score(values, ascending):
    """1 + floor(5 x percent rank), capped at 5; ties share the lowest rank (DuckDB percent_rank)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype='int64')
    rank = pd.Series(values).rank(method='min', ascending=ascending).to_numpy()
    p = (rank - 1) / (n - 1) if n > 1 else np.zeros(n)
    return np.minimum(5, 1 + np.floor(5 * p)).astype('int64')


def segment(r, f):
    conds = [
        (r <= 2) & (f <= 2), (r <= 2) & (f <= 4), r <= 2,
        (r == 3) & (f <= 2), (r == 3) & (f == 3), (r <= 4) & (f >= 4),
        (r == 4) & (f == 1), (r == 5) & (f == 1), f <= 3,
    ]
    names = ['Hibernating', 'At risk', "Can't lose", 'About to sleep', 'Need attention', 'Loyal', 'Promising', 'New', 'Potential loyalist']
    return np.select(conds, names, default='Champions')


def group_cn(rec, freq, mon):
    n = len(rec)
    rh = rec * n <= rec.sum()
    fh = freq * n >= freq.sum()
    # Exact, in int units; Python ints only if monetary x n could overflow int64.
    big = n > 0 and int(mon.max()) * n >= 2 ** 62
    mh = (mon.astype(object) if big else mon) * n >= int(mon.sum())
    conds = [rh & fh & mh, rh & ~fh & mh, ~rh & fh & mh, ~rh & ~fh & mh, rh & fh, rh, fh]
    names = ['重要价值', '重要发展', '重要保持', '重要挽留', '一般价值', '一般发展', '一般保持']
    return np.select(conds, names, default='一般挽留')


def money_str(u):
    u = int(u)
    sign = '-' if u < 0 else ''
    u = abs(u)
    return f'{sign}{u // UNITS}.{u % UNITS:04d}'


def day_str(d):
    return str(np.datetime64(int(d), 'D'))


def compute(lines, orders, returns, members, as_of, window_days, second_days):
    out = {}
    value = lines.groupby(['channel', 'order_id'], observed=True, sort=False)['amount'].sum()
    value = value[value > 0].rename('value').reset_index()
    purchases = orders.merge(value, on=['channel', 'order_id'], how='inner')
    pc, rc, labels = customer_keys(purchases, returns, members)
    purchases = pd.DataFrame({'cust': pc, 'day': purchases['day'].to_numpy(), 'value': purchases['value'].to_numpy()})
    purchases = purchases[purchases['cust'] >= 0]
    rets = pd.DataFrame({'cust': rc, 'day': returns['day'].to_numpy(), 'amount': returns['amount'].to_numpy()})
    rets = rets[rets['cust'] >= 0]
    occ = purchases.groupby(['cust', 'day'], sort=True)['value'].sum().reset_index()
    d = int(occ['day'].max()) if as_of is None else int(np.datetime64(as_of, 'D').astype('int64'))
    occ = occ[occ['day'] <= d]
    out['as_of'] = day_str(d)
    out['purchases'] = int(len(purchases))
    out['occasions'] = int(len(occ))
    out['customers_with_purchases'] = int(occ['cust'].nunique())

    # RFM over the window D - (N - 1) .. D.
    lo = d - (window_days - 1)
    w = occ[occ['day'] >= lo]
    base = w.groupby('cust', sort=True).agg(last=('day', 'max'), frequency=('day', 'size'), value=('value', 'sum'))
    rw = rets[(rets['day'] >= lo) & (rets['day'] <= d)].groupby('cust')['amount'].sum()
    returned = rw.reindex(base.index, fill_value=0).to_numpy()
    rec = (d - base['last'].to_numpy()).astype('int64')
    freq = base['frequency'].to_numpy().astype('int64')
    mon = np.maximum(base['value'].to_numpy() - returned, 0)
    r_s, f_s, m_s = pct_score(rec, False), pct_score(freq, True), pct_score(mon, True)
    seg = segment(r_s, f_s)
    cn = group_cn(rec, freq, mon)
    n = len(base)
    out['rfm'] = {
        'buyers': n,
        'monetary': money_str(mon.sum()),
        'sum_recency': int(rec.sum()), 'sum_frequency': int(freq.sum()),
        'r_scores': np.bincount(r_s, minlength=6)[1:].tolist(),
        'f_scores': np.bincount(f_s, minlength=6)[1:].tolist(),
        'm_scores': np.bincount(m_s, minlength=6)[1:].tolist(),
        'groups': {k: int(v) for k, v in pd.Series(seg).value_counts().items()},
        'groups_cn': {k: int(v) for k, v in pd.Series(cn).value_counts().items()},
    }
    rfm = pd.DataFrame({'cust': base.index.to_numpy(), 'recency': rec, 'frequency': freq, 'monetary': mon,
                        'r_score': r_s, 'f_score': f_s, 'm_score': m_s, 'segment': seg, 'group_cn': cn})

    # Second-purchase rate: occ is sorted by (cust, day); a customer's first row is their first
    # occasion and the next row (same customer) their second.
    cust = occ['cust'].to_numpy()
    day = occ['day'].to_numpy().astype('int64')
    first = np.ones(len(cust), dtype=bool)
    first[1:] = cust[1:] != cust[:-1]
    idx = np.flatnonzero(first)
    nxt = idx + 1
    has_next = nxt < len(cust)
    has_next[has_next] = cust[nxt[has_next]] == cust[idx[has_next]]
    second = np.zeros(len(idx), dtype=bool)
    second[has_next] = day[nxt[has_next]] - day[idx[has_next]] <= second_days
    cohort = day[idx].astype('datetime64[D]').astype('datetime64[M]')
    per = pd.DataFrame({'cohort': cohort, 'second': second}).groupby('cohort', sort=True)['second'].agg(['size', 'sum'])
    data_start = day.min().astype('datetime64[D]').astype('datetime64[M]') if len(day) else None
    rows = []
    for c, r in per.iterrows():
        c = np.datetime64(c, 'M')
        end = ((c + 1).astype('datetime64[D]') - 1).astype('int64')
        if end + second_days > d:
            continue
        new, sec = int(r['size']), int(r['sum'])
        rows.append({'cohort': str(c.astype('datetime64[D]')), 'new_buyers': new, 'second_buyers': sec,
                     'rate': f'{(sec * UNITS * 2 + new) // (2 * new) / UNITS:.4f}', 'left_censored': bool(c == data_start)})
    out['second_purchase'] = rows
    return out, rfm, labels


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--orders', required=True)
    ap.add_argument('--lines', required=True)
    ap.add_argument('--returns', required=True)
    ap.add_argument('--members-map', help='CSV channel,buyer_id,member_id: use members as the customer key')
    ap.add_argument('--as-of', help='YYYY-MM-DD (default: the last day with a purchase)')
    ap.add_argument('--window-days', type=int, default=365)
    ap.add_argument('--second-purchase-days', type=int, default=45)
    ap.add_argument('--dump-rfm', help='write per-customer RFM here after timing (for checking)')
    a = ap.parse_args()
    t0 = time.perf_counter()
    try:
        lines = read_lines(a.lines)
        orders = read_orders(a.orders)
        returns = read_returns(a.returns)
        members = None
        if a.members_map:
            members = pd.read_csv(a.members_map, dtype=str, keep_default_na=False)
        t1 = time.perf_counter()
        counts = {'product_lines': int(len(lines)), 'paid_member_orders': int(len(orders)), 'product_returns': int(len(returns))}
        out, rfm, labels = compute(lines, orders, returns, members, a.as_of, a.window_days, a.second_purchase_days)
        t2 = time.perf_counter()
    except MemoryError as e:
        print(json.dumps({'error': f'out of memory ({type(e).__name__})', 'seconds': round(time.perf_counter() - t0, 2),
                          'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
        sys.exit(3)
    out.update(counts)
    out['key'] = 'member' if members is not None else 'account'
    out['read_s'] = round(t1 - t0, 3)
    out['compute_s'] = round(t2 - t1, 3)
    out['max_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    if a.dump_rfm:
        rfm['customer'] = np.asarray(labels, dtype=object)[rfm['cust'].to_numpy()]
        rfm['monetary'] = [money_str(u) for u in rfm['monetary']]
        rfm.drop(columns=['cust']).to_csv(a.dump_rfm, index=False)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == '__main__':
    main()
