/** Loyalty values as JSON: points are integers (bigint in TypeScript), written as JSON numbers (as text beyond 2^53). */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** A deep copy with every bigint as a JSON number (decimal text if a number cannot hold it exactly). */
export function toJson(value: unknown): Json {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  return String(value);
}
