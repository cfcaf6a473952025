import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { buildApp, createKey } from './index.js';
import { prefersChinese } from './errors-i18n.js';

test('Accept-Language: which language a header prefers', () => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, false],
    ['zh-CN', true],
    ['zh-CN,zh;q=0.9,en;q=0.8', true],
    ['en-US,en;q=0.9,zh-CN;q=0.8', false],
    ['en;q=0.5, zh;q=0.7', true],
    ['fr-FR', false],
  ];
  for (const [header, zh] of cases) assert.equal(prefersChinese(header), zh, String(header));
});

test("API errors in the caller's language, with the English original kept as detail", async () => {
  const s = await sandbox();
  const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects` });
  try {
    const none = await app.inject({ url: '/api/meta', headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    assert.equal(none.statusCode, 401);
    const body = none.json<{ error: string; message: string; detail: string }>();
    assert.equal(body.error, 'unauthorized');
    assert.match(body.message, /API 密钥/);
    assert.match(body.detail, /An API key is required/);
    const en = (await app.inject({ url: '/api/meta', headers: { 'accept-language': 'en-US' } })).json<{ message: string; detail?: string }>();
    assert.match(en.message, /An API key is required/);
    assert.equal(en.detail, undefined);
    const { key } = await createKey(s.ops, clock, 'admin', 'test');
    const auth = { authorization: `Bearer ${key}`, 'accept-language': 'zh-CN' };
    const member = await app.inject({ url: '/api/members/nobody', headers: auth });
    assert.equal(member.statusCode, 404);
    assert.match(member.json<{ message: string }>().message, /没有匹配的会员/);
    const rule = { kind: 'lifecycle', stages: ['New'] };
    assert.equal((await app.inject({ method: 'POST', url: '/api/segments', headers: auth, payload: { name: '新客', rule } })).statusCode, 201);
    const twice = await app.inject({ method: 'POST', url: '/api/segments', headers: auth, payload: { name: ' 新客 ', rule } });
    assert.equal(twice.statusCode, 409, 'segment names are unique');
    assert.match(twice.json<{ message: string }>().message, /同名/);
  } finally {
    await app.close();
    s.close();
  }
});
