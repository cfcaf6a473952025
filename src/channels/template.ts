/**
 * Message templates: `{{name}}` placeholders filled from member variables, `{{name|fallback}}`
 * with a fallback when the variable is empty. A variable that is missing and has no fallback
 * is an error, never a silent blank ("Dear ,").
 */
import type { MessageTemplate } from './types.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([^}]*))?\}\}/g;

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export type Rendered = { readonly subject?: string; readonly text: string; readonly html?: string };

/** Fills a template; the HTML part gets its values HTML-escaped. */
export function renderTemplate(t: MessageTemplate, vars: Readonly<Record<string, string>>): { ok: true; message: Rendered } | { ok: false; missing: string[] } {
  const missing = new Set<string>();
  const fill = (text: string, escape: boolean): string =>
    text.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
      const v = vars[name];
      const value = v !== undefined && v !== '' ? v : fallback;
      if (value === undefined) {
        missing.add(name);
        return '';
      }
      return escape ? escapeHtml(value) : value;
    });
  const message: Rendered = {
    text: fill(t.text, false),
    ...(t.subject === undefined ? {} : { subject: fill(t.subject, false) }),
    ...(t.html === undefined ? {} : { html: fill(t.html, true) }),
  };
  return missing.size > 0 ? { ok: false, missing: [...missing].sort() } : { ok: true, message };
}
