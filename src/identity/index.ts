export { installNormalization, normalizePhone, normalizeEmail, IDENTITY_KINDS, SCOPED_KINDS } from './normalize.js';
export type { IdentityKind } from './normalize.js';
export { resolveIdentities } from './resolve.js';
export type { ResolveResult } from './resolve.js';
export { unmerge, identityReport, UnmergeError } from './unmerge.js';
export type { UnmergeResult } from './unmerge.js';
