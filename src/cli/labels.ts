/**
 * The CLI's report labels in Chinese or English, from the console's dictionaries (one per
 * language): section titles, column headers and vocabulary values (stages, links, groups).
 * Numbers and data are printed as they are; the printed rules stay in English.
 */
import { EN } from '../web/i18n/en.js';
import { ZH } from '../web/i18n/zh.js';

export type CliLang = 'zh' | 'en';

/** The language of `--lang`, else of the environment's locale (LC_ALL, LC_MESSAGES, LANG): zh for a Chinese locale. */
export function cliLang(flag: string | undefined, locale: string): CliLang {
  if (flag === 'zh' || flag === 'en') return flag;
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const dict = (lang: CliLang): Readonly<Record<string, string>> => (lang === 'zh' ? ZH : EN);

/** A label by its dictionary key, or the fallback when the dictionary has none. */
export function label(lang: CliLang, key: string, fallback: string): string {
  return dict(lang)[key] ?? fallback;
}

/** Which vocabulary a column's values come from. */
const VALUE_VOCAB: Readonly<Record<string, string>> = {
  stage: 'stage',
  from_stage: 'stage',
  to_stage: 'stage',
  link: 'link',
  segment: 'rfm',
  group_cn: 'cn',
  branch: 'branch',
  tag: 'tag',
};

/** Section titles of the analysis documents (the result's keys). */
const SECTIONS: Readonly<Record<string, string>> = {
  stages: 'stages',
  groups: 'groups',
  groups_cn: 'groups_cn',
  grid: 'rfm_grid',
  links: 'page_links',
  second_purchase: 'second_purchase',
  summary: 'summary',
  comparisons: 'decomposition',
  matrix: 'page_lifecycle',
  weakest: 'weakest',
};

/** Rows with translated column headers and vocabulary values (RFM groups by the report's map). */
export function translateRows(lang: CliLang, rows: ReadonlyArray<Record<string, unknown>>, section: string): Array<Record<string, unknown>> {
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      const vocab = k === 'group' ? (section === 'groups_cn' ? 'cn' : 'rfm') : VALUE_VOCAB[k];
      const value = vocab === undefined || typeof v !== 'string' ? v : label(lang, `${vocab}.${v}`, v);
      out[label(lang, `col.${k}`, k)] = k === 'metric' && typeof r['link'] === 'string' ? label(lang, `metric.${r['link']}`, String(v)) : value;
    }
    return out;
  });
}

/**
 * A section title in the language, its `{name}` placeholders filled from vars; a parenthesis whose
 * placeholder has no value is left out rather than printed with the braces.
 */
export function sectionTitle(lang: CliLang, key: string, vars: Readonly<Record<string, string>> = {}): string {
  const k = SECTIONS[key];
  const title = k === undefined ? key : label(lang, k, key);
  return title
    .replace(/\s*[(（][^()（）]*\{\w+\}[^()（）]*[)）]/g, (part) => ([...part.matchAll(/\{(\w+)\}/g)].every((m) => Object.hasOwn(vars, m[1] ?? '')) ? part : ''))
    .replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? (vars[name] ?? whole) : whole))
    .trim();
}
