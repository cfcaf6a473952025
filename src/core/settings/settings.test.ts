import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callingCode, checkSetting, getSetting, setSetting } from './index.js';
import { clock, sandbox } from '../../testing/index.js';

test('identity.default_country takes 86, +86, CN, US and +1 (as the README shows) and stores the calling code', async () => {
  const s = await sandbox();
  try {
    for (const [given, code] of [
      [86, '86'],
      ['86', '86'],
      ['+86', '86'],
      ['CN', '86'],
      ['us', '1'],
      ['+1', '1'],
      ['GB', '44'],
    ] as const) {
      assert.equal(checkSetting('identity.default_country', given), null, String(given));
      await setSetting(s.db, clock, 'identity.default_country', given);
      assert.equal(await getSetting(s.db, 'identity.default_country'), code);
    }
    for (const bad of ['', 'XX', '+999', 'China', 0]) {
      assert.match(checkSetting('identity.default_country', bad) ?? '', /calling code/, String(bad));
    }
    assert.equal(callingCode('SE'), '46');
  } finally {
    s.close();
  }
});

test('shop.timezone refuses an unknown zone, naming the nearest valid ones', () => {
  assert.equal(checkSetting('shop.timezone', 'Asia/Shanghai'), null);
  assert.equal(checkSetting('shop.timezone', 'UTC'), null);
  const problem = checkSetting('shop.timezone', 'Asia/Shangai') ?? '';
  assert.match(problem, /unknown time zone 'Asia\/Shangai'; did you mean Asia\/Shanghai/);
});

test('shop.currency is an ISO 4217 code, CNY by default', async () => {
  const s = await sandbox();
  try {
    assert.equal(await getSetting(s.db, 'shop.currency'), 'CNY');
    assert.equal(checkSetting('shop.currency', 'USD'), null);
    assert.match(checkSetting('shop.currency', 'usd') ?? '', /ISO 4217/);
    assert.match(checkSetting('shop.currency', 'XYZ') ?? '', /not an ISO 4217/);
  } finally {
    s.close();
  }
});
