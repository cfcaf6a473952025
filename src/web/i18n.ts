/** The console's two languages: one dictionary each (i18n/en.ts, i18n/zh.ts) and the look-up. */
import { EN, type Dict } from './i18n/en.js';
import { ZH } from './i18n/zh.js';

export type Lang = 'en' | 'zh';
export type Key = keyof Dict;

export const DICT: Record<Lang, Dict> = { en: EN, zh: ZH };

const isKey = (k: string): k is Key => Object.hasOwn(EN, k);

/** A label in a language, with {name} placeholders filled in. */
export function translate(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  return DICT[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/**
 * A value of a vocabulary in a language (`vocab('zh', 'stage', 'New')` is 新客); a value the
 * dictionary does not know is data (a product, a store) and is shown as it is.
 */
export function vocab(lang: Lang, group: string, value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  const key = `${group}.${text}`;
  return isKey(key) ? DICT[lang][key] : text;
}

/** True when a vocabulary knows the value (for tests of coverage and pickers). */
export function knows(group: string, value: string): boolean {
  return isKey(`${group}.${value}`);
}
