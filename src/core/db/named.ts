/** Splits a .sql file into statements named by '-- name: X' lines; returns a getter. */
export function namedStatements(text: string): (name: string) => string {
  const map = new Map<string, string>();
  let current: string | null = null;
  let buf: string[] = [];
  const flush = (): void => {
    if (current !== null) map.set(current, buf.join('\n').trim().replace(/;\s*$/, ''));
  };
  for (const line of text.split('\n')) {
    const m = /^--\s*name:\s*(\S+)/.exec(line);
    if (m) {
      flush();
      current = m[1] ?? null;
      buf = [];
    } else buf.push(line);
  }
  flush();
  return (name: string): string => {
    const sql = map.get(name);
    if (sql === undefined) throw new Error(`no SQL statement named ${name}`);
    return sql;
  };
}
