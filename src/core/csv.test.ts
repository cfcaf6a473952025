import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, parseCsv } from './csv.js';

test('export cells: formulas neutralised with an apostrophe (OWASP), amounts stay numbers, quoting kept', () => {
  const cases: Array<[unknown, 'text' | 'number', string]> = [
    ['=HYPERLINK("http://x","y")', 'text', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+8613800138000', 'text', "'+8613800138000"],
    ['-2+3', 'text', "'-2+3"],
    ['@SUM(A1)', 'text', "'@SUM(A1)"],
    ['\tcmd', 'text', "'\tcmd"],
    ['\rcmd', 'text', `"'\rcmd"`],
    ['张三', 'text', '张三'],
    ['a,b', 'text', '"a,b"'],
    ['-12.50', 'number', '-12.50'],
    [null, 'text', ''],
  ];
  for (const [value, kind, expected] of cases) assert.equal(csvCell(value, kind), expected, String(value));
  assert.deepEqual(parseCsv(`${csvCell('=1+1')},${csvCell('-5', 'number')}\n`), [["'=1+1", '-5']]);
});
