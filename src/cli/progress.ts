/**
 * Progress for long work: a redrawn bar with rows/s on a terminal, plain lines otherwise
 * (logs, CI). Always on stderr, so --json output on stdout stays one clean document.
 */
export interface Progress {
  /** Reports that `done` of `total` units are finished (rows counts are for the rate). */
  update(label: string, done: number, total: number, rows: number): void;
  done(message: string): void;
}

const fmt = new Intl.NumberFormat('en-US');

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  const tty = stream.isTTY === true;
  const t0 = performance.now();
  let lastLine = '';
  return {
    update(label, done, total, rows) {
      if (quiet) return;
      const secs = (performance.now() - t0) / 1000;
      const rate = secs > 0 ? Math.round(rows / secs) : 0;
      if (tty) {
        const width = 24;
        const filled = total > 0 ? Math.round((done / total) * width) : 0;
        const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
        const line = `[${bar}] ${done}/${total} ${label} ${fmt.format(rows)} rows ${fmt.format(rate)} rows/s`;
        stream.write(`\r${line.padEnd(lastLine.length)}`);
        lastLine = line;
      } else {
        stream.write(`${done}/${total} ${label}: ${fmt.format(rows)} rows, ${fmt.format(rate)} rows/s\n`);
      }
    },
    done(message) {
      if (quiet) return;
      if (tty && lastLine !== '') stream.write(`\r${' '.repeat(lastLine.length)}\r`);
      stream.write(`${message}\n`);
    },
  };
}
