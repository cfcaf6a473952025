import { sqlFile, str, type Db } from '../core/db/index.js';

/** Identifier kinds. Channel-scoped kinds are unique only within their channel. */
export const IDENTITY_KINDS = ['account', 'wechat_openid', 'pos_card', 'phone', 'email', 'wechat_unionid'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
export const SCOPED_KINDS: readonly IdentityKind[] = ['account', 'wechat_openid', 'pos_card'];

/** Installs the normalization macros on a connection (done once when a database is opened). */
export async function installNormalization(db: Db): Promise<void> {
  await db.run(sqlFile(import.meta.url, 'normalize.sql'));
}

/** Normalizes a phone number to E.164 with the given default country code, or null. */
export async function normalizePhone(db: Db, raw: string, country: string): Promise<string | null> {
  return str(await db.one('SELECT norm_phone($1, $2) AS v', [raw, country]), 'v');
}

/** Normalizes an email (trim, lower-case), or null when it is not an email. */
export async function normalizeEmail(db: Db, raw: string): Promise<string | null> {
  return str(await db.one('SELECT norm_email($1) AS v', [raw]), 'v');
}
