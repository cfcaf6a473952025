/**
 * The kinds of values report results hold, as the analytical store hands them over: counts of
 * BIGINT columns arrive as digit strings (never through a float), money as exact decimal strings,
 * shares and ratios as numbers or decimal strings.
 */
import { Type, type TSchema } from '@sinclair/typebox';

/** A whole number: a JSON integer, or a digit string for counts the database keeps as BIGINT. */
export const Count = Type.Union([Type.Integer(), Type.String({ pattern: '^-?\\d+$' })], { description: 'a whole number (digit string for 64-bit counts)' });
/** An exact decimal (money, averages): a string, never a float. */
export const Decimal = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'exact decimal' });
/** A share, ratio or mean: a number or a decimal string. */
export const Ratio = Type.Union([Type.Number(), Decimal]);
/** A day, YYYY-MM-DD. */
export const Day = Type.String({ format: 'date' });
/** A value or null (no data: never drawn as zero). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A period, first and last day inclusive. */
export const Period = Type.Object({ from: Day, to: Day });
/** The segment a report is restricted to, when it is. */
export const Scope = Type.Object({ segment_id: Type.String(), name: Type.String(), members: Count, as_of: Day });
