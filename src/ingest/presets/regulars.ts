import { basename } from 'node:path';
import { ENTITIES, ENTITY_NAMES, isEntity, type Entity } from '../fields.js';
import { FileRefused } from '../source.js';
import type { FieldSource } from '../mapping.js';
import type { Preset, PresetContext } from './types.js';

/** The entity a canonical file holds: --entity, else the file name (orders.csv, order_lines-2024.csv.gz, ...). */
export function entityOf(ctx: PresetContext): Entity {
  if (ctx.entity !== undefined) {
    if (!isEntity(ctx.entity)) throw new FileRefused(ctx.file, `--entity ${ctx.entity} is not one of ${ENTITY_NAMES.join(', ')}`);
    return ctx.entity;
  }
  const stem = basename(ctx.file)
    .toLowerCase()
    .replace(/\.(gz)$/, '')
    .replace(/\.(csv|tsv|txt|ndjson|jsonl|json|parquet)$/, '');
  const byLength = [...ENTITY_NAMES].sort((a, b) => b.length - a.length);
  const hit = byLength.find((e) => stem === e || stem.startsWith(`${e}-`) || stem.startsWith(`${e}_`) || stem.startsWith(`${e}.`));
  if (hit === undefined || !isEntity(hit)) {
    throw new FileRefused(ctx.file, `cannot tell which entity it holds from its name; name it after one (${ENTITY_NAMES.join(', ')}) or pass --entity`);
  }
  return hit;
}

/** The canonical layouts: column names are the field names of docs/import.md. */
export const regularsPreset: Preset = {
  name: 'regulars',
  summary: 'Regulars canonical files: members, consents, products, orders, order_lines, returns, events, sales',
  stageOptions: () => ({}),
  mapping(ctx) {
    const entity = entityOf(ctx);
    const fields: Record<string, FieldSource> = {};
    for (const name of Object.keys(ENTITIES[entity])) {
      if (ctx.columns.includes(name)) fields[name] = { column: name };
    }
    if (ctx.channel !== undefined && 'channel' in ENTITIES[entity]) fields['channel'] = { const: ctx.channel };
    return { entity, fields };
  },
};
