/**
 * The ingestion inbox (docs/api.md): records sent to the API are stored in the operational store
 * and answered at once; a loader moves them into the member base; the identity map is published
 * back so operational routes never need the analytical store.
 */
export { receive, recordState, inboxStatus, type Receipt } from './receive.js';
export { loadPending, type LoadReport, type LoadOptions } from './loader.js';
export { publishIdentities, publishedMember } from './publish.js';
export { INBOX_KEYS, ORDER_PROGRESS_FIELDS, compareRecords, canonical } from './keys.js';
