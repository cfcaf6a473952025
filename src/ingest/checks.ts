import { ENTITIES, LINE_TYPES, ORDER_STATUSES, type Entity } from './fields.js';
import { ident, type Mapping } from './mapping.js';

const IS_RETURN = "lower(coalesce(is_return, '')) IN ('true', '1', 'yes', 'y', 't')";

/** Natural key of each entity within one file. */
const FILE_KEYS: Partial<Record<Entity, readonly string[]>> = {
  members: ['channel', 'external_id'],
  orders: ['channel', 'order_id'],
  order_lines: ['channel', 'order_id', 'line_no'],
  returns: ['channel', 'return_id', 'line_no'],
  products: ['sku'],
  events: ['channel', 'event_id'],
  consents: ['channel', 'external_id', 'contact_channel', 'at'],
};

/** An entity's natural key in one file: SQL expressions over _typed and the names they stand for. */
export interface FileKey {
  readonly exprs: readonly string[];
  readonly names: readonly string[];
}

/**
 * The in-file key of a mapping's rows, or null where rows are numbered in file order instead
 * (sales and returns without line_no: each row is its own line). Sales rows that give line_no
 * are keyed by order (or return) and line, so a repeated line is a duplicate or a conflict,
 * never a second line of the same money.
 */
export function fileKey(mapping: Mapping): FileKey | null {
  const lineNo = mapping.fields['line_no'] !== undefined;
  if (mapping.entity === 'sales') {
    if (!lineNo) return null;
    return {
      exprs: ['channel', IS_RETURN, `CASE WHEN ${IS_RETURN} THEN coalesce(return_id, order_id) ELSE order_id END`, 'line_no'],
      names: ['channel', 'is_return', 'order_id', 'line_no'],
    };
  }
  if ((mapping.entity === 'returns' || mapping.entity === 'order_lines') && !lineNo) return null;
  const names = FILE_KEYS[mapping.entity];
  return names === undefined ? null : { exprs: names.map(ident), names };
}

const list = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');

/** Identifier fields a spreadsheet may have rewritten as 1.7850E+04. */
const ID_FIELDS = ['order_id', 'return_id', 'external_id', 'buyer_id', 'buyer_phone', 'buyer_pos_card', 'phone', 'pos_card'];

/**
 * An identifier in scientific notation is refused: 1.7850E+04 and 17850 would become two
 * members, and 1.23457E+11 has lost its digits; the export must write the column as text.
 */
function scientificIds(entity: Entity): string[] {
  return ID_FIELDS.filter((f) => f in ENTITIES[entity]).map(
    (f) =>
      `CASE WHEN regexp_full_match(${f}, '[0-9]+(\\.[0-9]+)?[eE][+]?[0-9]+') THEN '${f}\tis written in scientific notation (a spreadsheet rewrote the number; its digits may be lost); export the column as text\t' || ${f} END`,
  );
}

/**
 * Cross-field checks per entity, as SQL expressions over _typed that yield
 * 'field<TAB>reason<TAB>value' or NULL. Only constant text of our own is pasted here.
 */
export function entityChecks(entity: Entity): string[] {
  return [...scientificIds(entity), ...ownChecks(entity)];
}

function ownChecks(entity: Entity): string[] {
  const status = `CASE WHEN status IS NOT NULL AND status NOT IN (${list(ORDER_STATUSES)}) THEN 'status\tmust be one of ${ORDER_STATUSES.join(', ')}\t' || status END`;
  const lineType = `CASE WHEN line_type IS NOT NULL AND line_type NOT IN (${list(LINE_TYPES)}) THEN 'line_type\tmust be one of ${LINE_TYPES.join(', ')}\t' || line_type END`;
  const price = `CASE WHEN unit_price IS NULL AND amount IS NULL THEN 'unit_price\tneither unit_price nor amount is given\t' END`;
  switch (entity) {
    case 'orders':
      return [status];
    case 'order_lines':
      return [lineType, price];
    case 'sales':
      return [status, lineType, price];
    case 'returns':
      return [lineType];
    case 'products':
      return [lineType];
    case 'events':
      return [
        `CASE WHEN rating IS NOT NULL AND rating NOT BETWEEN 1 AND 5 THEN 'rating\tmust be 1 to 5\t' || rating END`,
        `CASE WHEN direction IS NOT NULL AND direction NOT IN ('inbound', 'outbound') THEN 'direction\tmust be inbound or outbound\t' || direction END`,
      ];
    case 'consents':
      return [`CASE WHEN status NOT IN ('granted', 'withdrawn') THEN 'status\tmust be granted or withdrawn\t' || status END`];
    case 'members':
      return [];
    default: {
      const never: never = entity;
      return never;
    }
  }
}
