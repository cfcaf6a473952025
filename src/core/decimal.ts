/**
 * Exact decimals as scaled integers: money and points never pass through a float.
 * toUnits('12.5', 4) = 125000n; fromUnits(125000n, 4) = '12.5000'. Digits beyond the
 * given places are cut (the database rounds before values reach here).
 */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export function toUnits(text: string | number | bigint | null | undefined, places = 4): bigint {
  if (text === null || text === undefined) return 0n;
  if (typeof text === 'bigint') return text * 10n ** BigInt(places);
  const s = String(text).trim();
  const m = DECIMAL.exec(s);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal number: '${s}'`);
  const units = BigInt(`${m[2] === '' ? '0' : m[2]}${(m[3] ?? '').padEnd(places, '0').slice(0, places)}`);
  return m[1] === '-' ? -units : units;
}

export function fromUnits(units: bigint, places = 4): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(places + 1, '0');
  const body = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return `${neg ? '-' : ''}${body}`;
}
