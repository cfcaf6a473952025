/** Checks of the shop's time zone and currency against the names the runtime knows. */

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] ?? 0;
      row[j] = Math.min(here + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length] ?? 0;
}

/** True when the runtime knows the IANA time zone. */
function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Null for a known IANA time zone, else a message naming the nearest valid names. */
export function timeZoneProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return 'shop.timezone takes an IANA time zone name such as Asia/Shanghai';
  if (knownZone(value)) return null;
  const names = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  const nearest = names
    .map((n) => ({ n, d: distance(n.toLowerCase(), value.toLowerCase()) }))
    .sort((x, y) => x.d - y.d || x.n.localeCompare(y.n))
    .slice(0, 3)
    .map((x) => x.n);
  return `unknown time zone '${value}'; did you mean ${nearest.join(', ')}?`;
}

/** Null for an ISO 4217 currency code the runtime knows, else why not. */
export function currencyProblem(value: unknown): string | null {
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value)) return 'shop.currency takes an ISO 4217 code in capitals, such as CNY, USD or EUR';
  return Intl.supportedValuesOf('currency').includes(value) ? null : `'${value}' is not an ISO 4217 currency code`;
}
