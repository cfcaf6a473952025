import type { Entity } from '../fields.js';
import type { Mapping } from '../mapping.js';
import type { StageOptions, Unpivot } from '../source.js';

/** What a preset knows when it builds the mapping for one file. */
export interface PresetContext {
  readonly file: string;
  /** Column names of the staged file, in file order. */
  readonly columns: readonly string[];
  /** --channel, when given. */
  readonly channel?: string;
  /** --entity, when given (the regulars preset). */
  readonly entity?: string;
  /** The import's time, shop-local (for records an export does not date). */
  readonly now: string;
  /** --date, when given (the baskets preset dates its orders with it). */
  readonly date?: string;
  /** The import day (YYYY-MM-DD, from the injected clock). */
  readonly today?: string;
}

/** A known export layout: how to read the file and how its columns become a canonical entity. */
export interface Preset {
  readonly name: string;
  readonly summary: string;
  /** Reading options, possibly judged from the file's first line. */
  stageOptions(firstLine: string): StageOptions;
  /**
   * Columns that each hold one line of the row (WooCommerce's line_item_1, line_item_2, ...): the
   * staged row becomes one row per non-empty value before mapping. Given the staged columns.
   */
  unpivot?(columns: readonly string[]): Unpivot | undefined;
  /** The mapping; throws FileRefused when the file cannot be this layout. */
  mapping(ctx: PresetContext): Mapping;
}

/** A mapping field taken from a column when the file has it. */
export function optionalColumn(columns: readonly string[], name: string): { column: string } | undefined {
  return columns.includes(name) ? { column: name } : undefined;
}

/** Drops undefined entries so optional columns simply stay unmapped. */
export function defined<T>(fields: Record<string, T | undefined>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

export type { Entity, Unpivot };
