/** Comparisons of rule nodes and their SQL operators, shared by the node kinds and the compiler. */

export const COMPARISONS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const OPS: Record<Comparison, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** Whether a count or sum of zero satisfies the comparison (members with nothing then qualify). */
export function zeroSatisfies(op: Comparison, value: number): boolean {
  switch (op) {
    case 'eq':
      return value === 0;
    case 'ne':
      return value !== 0;
    case 'gt':
      return 0 > value;
    case 'gte':
      return 0 >= value;
    case 'lt':
      return 0 < value;
    case 'lte':
      return 0 <= value;
    default: {
      const never: never = op;
      return never;
    }
  }
}
