/** Code generation and import: patterns, code space, uniqueness, replayable with a seed, refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpec, codeSpace, generateCodes, parseCodeFile, DEFAULT_CHARSET } from './codes.js';
import { seeded } from './testkit.js';

const scenarios: Array<{ description: string; given: { pattern: string; charset: string; prefix: string }; when: { count: number }; expect: string | RegExp }> = [
  {
    description: 'prefix and pattern: SALE-####-#### in the default charset',
    given: { pattern: '####-####', charset: DEFAULT_CHARSET, prefix: 'SALE-' },
    when: { count: 2000 },
    expect: /^SALE-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/,
  },
  { description: 'digits only', given: { pattern: '######', charset: '0123456789', prefix: 'V' }, when: { count: 1000 }, expect: /^V\d{6}$/ },
  { description: 'a space of 10^3 is too small for 101 codes (10x rule)', given: { pattern: '###', charset: '0123456789', prefix: '' }, when: { count: 101 }, expect: 'code_space_too_small' },
  { description: 'a space of 10^3 holds 100 codes', given: { pattern: '###', charset: '0123456789', prefix: '' }, when: { count: 100 }, expect: /^\d{3}$/ },
  { description: 'a pattern without # is refused', given: { pattern: 'ABCD', charset: '0123456789', prefix: '' }, when: { count: 1 }, expect: 'invalid_request' },
  { description: 'a one-character charset is refused', given: { pattern: '####', charset: 'AAAA', prefix: '' }, when: { count: 1 }, expect: 'invalid_request' },
];

for (const s of scenarios) {
  test(s.description, () => {
    const bad = checkSpec(s.given, s.when.count);
    if (typeof s.expect === 'string') {
      assert.equal(bad?.type, s.expect);
      return;
    }
    assert.equal(bad, null);
    const codes = generateCodes(s.given, s.when.count, seeded('t'));
    assert.equal(codes.length, s.when.count);
    assert.equal(new Set(codes).size, s.when.count);
    const pattern = s.expect;
    assert.ok(
      codes.every((c) => pattern.test(c)),
      codes.find((c) => !pattern.test(c)),
    );
  });
}

test('the same seed gives the same codes; another seed others', () => {
  const spec = { pattern: '########', charset: DEFAULT_CHARSET, prefix: '' };
  assert.deepEqual(generateCodes(spec, 50, seeded('a')), generateCodes(spec, 50, seeded('a')));
  assert.notDeepEqual(generateCodes(spec, 50, seeded('a')), generateCodes(spec, 50, seeded('b')));
  assert.equal(codeSpace(spec), 31n ** 8n);
});

test('generation avoids codes given to avoid', () => {
  const spec = { pattern: '##', charset: '0123456789', prefix: '' };
  const avoid = new Set(Array.from({ length: 95 }, (_, i) => String(i).padStart(2, '0')));
  const codes = generateCodes(spec, 5, seeded('x'), avoid);
  assert.deepEqual([...codes].sort(), ['95', '96', '97', '98', '99']);
});

test('an imported file is refused whole, naming bad and repeated lines', () => {
  const bad = parseCodeFile('code\nAB12CD\nx\nAB12CD\nGOOD-1234\n');
  assert.deepEqual(bad, {
    ok: false,
    errors: [
      { path: 'line 3', reason: "'x' is not a code (4-64 letters, digits, -)" },
      { path: 'line 4', reason: 'AB12CD repeats line 2' },
    ],
  });
  assert.deepEqual(parseCodeFile('code,printed_at\r\nAB12CD,2026-01-01\r\n"GOOD-1234",2026-01-01\r\n'), { ok: true, codes: ['AB12CD', 'GOOD-1234'] });
});
