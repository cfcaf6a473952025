// Copies the non-TypeScript assets of src/ (SQL files; the console's HTML and CSS) beside the compiled code in dist/.
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (['.sql', '.html', '.css'].includes(extname(p))) {
      const out = join(root, 'dist', p.slice(join(root, 'src').length));
      mkdirSync(dirname(out), { recursive: true });
      cpSync(p, out);
    }
  }
}
walk(join(root, 'src'));
