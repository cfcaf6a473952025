import { FileRefused } from '../source.js';
import type { Mapping } from '../mapping.js';
import { parseMapFile } from '../map-file.js';
import { basketsPreset } from './baskets.js';
import { cdnowPreset } from './cdnow.js';
import { onlineRetailPreset } from './online-retail.js';
import { regularsPreset } from './regulars.js';
import { shopifyPreset } from './shopify.js';
import { taobaoPreset } from './taobao.js';
import { tianchiPreset } from './tianchi.js';
import { taobaoItemsPreset } from './taobao-items.js';
import { shopifyCustomersPreset } from './shopify-customers.js';
import { woocommercePreset } from './woocommerce.js';
import type { Preset } from './types.js';

export type { Preset, PresetContext } from './types.js';
export { entityOf } from './regulars.js';
export { ONLINE_RETAIL_NON_PRODUCT } from './online-retail.js';

export const PRESETS: Readonly<Record<string, Preset>> = {
  regulars: regularsPreset,
  'online-retail': onlineRetailPreset,
  cdnow: cdnowPreset,
  shopify: shopifyPreset,
  taobao: taobaoPreset,
  'taobao-items': taobaoItemsPreset,
  'shopify-customers': shopifyCustomersPreset,
  tianchi: tianchiPreset,
  woocommerce: woocommercePreset,
  baskets: basketsPreset,
};

/** A user's --map file as a preset: its mapping, delimiter and encoding. */
export function mapPreset(mapFile: string, text: string): Preset {
  const parsed = parseMapFile(text);
  if ('problems' in parsed) throw new FileRefused(mapFile, `is not a usable map: ${parsed.problems.join('; ')}`);
  const { mapping, delimiter, encoding, columnNames } = parsed;
  return {
    name: 'map',
    summary: `column map ${mapFile}`,
    stageOptions: () => ({
      ...(delimiter !== undefined ? { delimiter } : {}),
      ...(encoding !== undefined ? { encoding } : {}),
      ...(columnNames !== undefined ? { columnNames } : {}),
    }),
    mapping(ctx): Mapping {
      const { channel } = ctx;
      if (channel === undefined) return mapping;
      const withChannel = (m: Mapping): Mapping => ('channel' in m.fields ? m : { ...m, fields: { ...m.fields, channel: { const: channel } } });
      const main = withChannel(mapping);
      return main.also === undefined ? main : { ...main, also: withChannel(main.also) };
    },
  };
}
