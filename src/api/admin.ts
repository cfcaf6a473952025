/** Who am I, settings, and API keys. */
import type { FastifyInstance } from 'fastify';
import { checkSetting, isSettingKey } from '../core/settings/index.js';
import { listOpSettings, saveSetting } from '../core/settings/operational.js';
import { ADMIN, authErrors, errorSchema, HttpError, OPERATE, READ, type OpCtx } from './context.js';
import { createKey, listKeys, revokeKey, SCOPES, type Scope } from './keys.js';

const setting = { type: 'object', properties: { key: { type: 'string' }, value: {}, description: { type: 'string' } } } as const;
const keyRow = {
  type: 'object',
  properties: {
    key_id: { type: 'string' },
    name: { type: 'string' },
    scope: { type: 'string', enum: [...SCOPES] },
    created_at: { type: 'string' },
    last_used_at: { type: ['string', 'null'] },
    revoked_at: { type: ['string', 'null'] },
  },
} as const;

/** Who am I, settings and keys: operational routes, served by every role. */
export function adminRoutes(app: FastifyInstance, ctx: OpCtx): void {
  const { ops, clock, need, analytical } = ctx;
  const actor = (id: string | undefined): string => (id === undefined ? 'api' : `key:${id}`);

  app.get(
    '/api/me',
    {
      schema: {
        summary: 'The presented key: its scope, ID and name (any scope)',
        response: { 200: { type: 'object', properties: { scope: { type: 'string' }, key_id: { type: 'string' }, name: { type: 'string' } } }, ...authErrors },
      },
    },
    async (req) => ({ scope: req.key?.scope, key_id: req.key?.key_id, name: req.key?.name }),
  );

  app.get(
    '/api/settings',
    {
      preHandler: need(READ),
      schema: { summary: 'Every setting with its effective value', response: { 200: { type: 'object', properties: { settings: { type: 'array', items: setting } } }, ...authErrors } },
    },
    async () => ({ settings: (await listOpSettings(ops)).map((s) => ({ key: s.key, value: s.value, description: s.help })) }),
  );

  app.put<{ Params: { key: string }; Body: { value: unknown } }>(
    '/api/settings/:key',
    {
      preHandler: need(OPERATE),
      schema: {
        summary: 'Change one setting (validated as by regulars settings set)',
        params: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] },
        body: { type: 'object', properties: { value: {} }, required: ['value'] },
        response: { 200: setting, 400: errorSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      const key = req.params.key;
      if (!isSettingKey(key)) throw new HttpError(404, 'not_found', `There is no setting '${key}'.`);
      const problem = checkSetting(key, req.body.value);
      if (problem !== null) throw new HttpError(400, 'invalid_setting', `${key}: ${problem}`);
      // The analytical mirror is brought up to date before the next analytical job (app.ts).
      await saveSetting(ops, clock, key, req.body.value, actor(req.key?.key_id));
      if (analytical !== null) await analytical.serial(async () => undefined);
      return { key, value: req.body.value };
    },
  );

  app.get(
    '/api/keys',
    {
      preHandler: need(ADMIN),
      schema: { summary: 'API keys (never their secrets)', response: { 200: { type: 'object', properties: { keys: { type: 'array', items: keyRow } } }, ...authErrors } },
    },
    async () => ({ keys: await listKeys(ops) }),
  );

  app.post<{ Body: { name: string; scope: Scope } }>(
    '/api/keys',
    {
      preHandler: need(ADMIN),
      schema: {
        summary: 'Create a key; the answer is the only time the key is shown',
        body: { type: 'object', properties: { name: { type: 'string', minLength: 1 }, scope: { type: 'string', enum: [...SCOPES] } }, required: ['name', 'scope'], additionalProperties: false },
        response: {
          200: { type: 'object', properties: { key_id: { type: 'string' }, key: { type: 'string' }, scope: { type: 'string' }, name: { type: 'string' } } },
          400: errorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => createKey(ops, clock, req.body.scope, req.body.name, actor(req.key?.key_id)),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/keys/:id',
    {
      preHandler: need(ADMIN),
      schema: {
        summary: 'Revoke a key',
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: { 200: { type: 'object', properties: { key_id: { type: 'string' }, revoked: { type: 'boolean' } } }, 404: errorSchema, ...authErrors },
      },
    },
    async (req) => {
      if (!(await revokeKey(ops, clock, req.params.id, actor(req.key?.key_id)))) throw new HttpError(404, 'not_found', `There is no active key ${req.params.id}.`);
      return { key_id: req.params.id, revoked: true };
    },
  );
}
