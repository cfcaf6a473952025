/**
 * JSON bodies read as written: JSON.parse turns an integer beyond 2^53 (an 18-digit Taobao order
 * ID) or a number with more than 15 significant digits into a nearby, different number without
 * a word. Such numbers are found in the text first and refused with the field and the fix.
 */

/** The first number in the JSON text that a double cannot hold as written, with the key it belongs to. */
export function unsafeNumber(body: string): { key: string; value: string } | null {
  let inString = false;
  let escape = false;
  let start = -1;
  let lastString = '';
  let key = '';
  for (let i = 0; i <= body.length; i++) {
    const c = body[i] ?? ' ';
    if (inString) {
      if (escape) escape = false;
      else if (c === '\\') escape = true;
      else if (c === '"') {
        inString = false;
        lastString = body.slice(start + 1, i);
        start = -1;
      }
      continue;
    }
    if (start >= 0) {
      if (/[0-9eE.+-]/.test(c)) continue;
      const token = body.slice(start, i);
      start = -1;
      if (!safe(token)) return { key, value: token };
    }
    if (c === '"') {
      inString = true;
      start = i;
    } else if (c === ':') key = lastString;
    else if (c === '-' || (c >= '0' && c <= '9')) start = i;
  }
  return null;
}

function safe(token: string): boolean {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE][+-]?\d+)?$/.exec(token);
  if (m === null) return true; // not a number JSON.parse accepts: it will say so itself
  const digits = `${m[1] ?? ''}${m[2] ?? ''}`.replace(/^0+/, '').replace(/0+$/, '');
  if (m[2] === undefined && !/[eE]/.test(token)) {
    const n = BigInt(token);
    return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= -BigInt(Number.MAX_SAFE_INTEGER);
  }
  return digits.length <= 15;
}
