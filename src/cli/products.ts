/** The product reports' options on `analyze` and `refresh`. */
import { Option, type Command } from 'commander';
import { BASKETS, LEVELS, type MatrixOptions, type RuleOptions } from '../products/index.js';
import { UsageError } from './shell.js';

/** The flags commander parses for the rules report. */
export interface RuleFlags {
  minSupport?: string;
  minConfidence?: string;
  minLift?: string;
  minLength?: string;
  maxLength?: string;
  level?: (typeof LEVELS)[number];
  basket?: (typeof BASKETS)[number];
  limit?: string;
  trafficSplit?: string;
  marginSplit?: string;
}

/** Adds the product reports' options to a command. */
export function ruleOptions(cmd: Command): Command {
  return cmd
    .option('--min-support <s>', 'rules: minimum support, a share of baskets (default 0.001)')
    .option('--min-confidence <c>', 'rules: minimum confidence (default 0.5)')
    .option('--min-lift <l>', 'rules: minimum lift (default 0)')
    .option('--min-length <n>', 'rules: fewest items on both sides (default 2: no empty left side)')
    .option('--max-length <n>', 'rules: most items on both sides (default 10)')
    .addOption(new Option('--level <level>', 'rules: items, categories or brands (default item)').choices([...LEVELS]))
    .addOption(new Option('--basket <kind>', 'rules: an order, or a member-day (default order)').choices([...BASKETS]))
    .option('--limit <n>', 'rules: most rules listed (default 10000; rule_count counts all)')
    .option('--traffic-split <n>', 'matrix: traffic at or above this is high (default: the median)')
    .option('--margin-split <rate>', 'matrix: gross margin rate at or above this is high, e.g. 0.4 (default: the median)');
}

function whole(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} must be a whole number, got '${v}'`);
  return Number(v);
}

/** The product reports' options from the parsed flags. */
export function productFlags(o: RuleFlags): { rules: RuleOptions; matrix: MatrixOptions } {
  return { rules: ruleFlags(o), matrix: { traffic_split: o.trafficSplit, margin_split: o.marginSplit } };
}

function ruleFlags(o: RuleFlags): RuleOptions {
  return {
    min_support: o.minSupport,
    min_confidence: o.minConfidence,
    min_lift: o.minLift,
    min_length: whole('--min-length', o.minLength),
    max_length: whole('--max-length', o.maxLength),
    level: o.level,
    basket: o.basket,
    limit: whole('--limit', o.limit),
  };
}
