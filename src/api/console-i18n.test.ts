import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../testing/index.js';

// The console's two dictionaries (compiled to dist/web by the web build) and the keys its source uses.
async function dictionaries(): Promise<{ en: Record<string, string>; zh: Record<string, string> }> {
  const en = (await import(pathToFileURL(join(ROOT, 'dist', 'web', 'i18n', 'en.js')).href)) as { EN: Record<string, string> };
  const zh = (await import(pathToFileURL(join(ROOT, 'dist', 'web', 'i18n', 'zh.js')).href)) as { ZH: Record<string, string> };
  return { en: en.EN, zh: zh.ZH };
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.includes(`${join('web', 'i18n')}`)) out.push(p);
  }
  return out;
}

// Words a Chinese text may carry as they are: abbreviations Chinese users use, and commands.
const KEPT = new Set([
  'RFM',
  'KPI',
  'ROI',
  'CLV',
  'CSV',
  'SMS',
  'EDM',
  'API',
  'SKU',
  'ID',
  'JSON',
  'ISO',
  'Regulars',
  'regulars',
  'keys',
  'create',
  'scope',
  'admin',
  'campaigns',
  'file',
  'campaign',
  'json',
  'docs',
  'md',
  'targets',
  'import',
  'analyze',
  'rfm',
  'by',
  'segment',
  'unionid',
]);

test('console dictionaries: zh and en have the same keys, none empty, and zh is Chinese', async () => {
  const { en, zh } = await dictionaries();
  const enKeys = Object.keys(en).sort();
  const zhKeys = Object.keys(zh).sort();
  assert.ok(enKeys.length > 300, `a full dictionary (${enKeys.length} keys)`);
  assert.deepEqual(
    enKeys.filter((k) => !(k in zh)),
    [],
    'keys missing in zh',
  );
  assert.deepEqual(
    zhKeys.filter((k) => !(k in en)),
    [],
    'keys missing in en',
  );
  assert.deepEqual(
    enKeys.filter((k) => (en[k] ?? '').trim() === '' || (zh[k] ?? '').trim() === ''),
    [],
    'empty labels',
  );
  const english = zhKeys.filter((k) => ((zh[k] ?? '').match(/[A-Za-z]{2,}/g) ?? []).some((w) => !KEPT.has(w) && !(w.length <= 3 && w === w.toUpperCase())) && !/[\u4e00-\u9fff]/.test(zh[k] ?? ''));
  assert.deepEqual(english, [], 'zh labels written in English');
  const chinese = enKeys.filter((k) => !k.startsWith('cn.') && /[\u4e00-\u9fff]/.test(en[k] ?? ''));
  assert.deepEqual(chinese, [], 'en labels with Chinese');
});

test('console dictionaries: every key the console source asks for exists', async () => {
  const { en } = await dictionaries();
  const used = new Set<string>();
  for (const file of sources(join(ROOT, 'src', 'web'))) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bt\('([a-z_]+)'/g)) used.add(m[1] ?? '');
  }
  assert.ok(used.size > 100, `the console asks for many labels (${used.size})`);
  assert.deepEqual([...used].filter((k) => !(k in en)).sort(), [], 'keys used but missing from the dictionaries');
});
