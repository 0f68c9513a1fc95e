import { type Locale, translator } from '../../../platform/i18n.ts';

/**
 * The building blocks of Provisio's emails: strings, not a template engine, because thousands are
 * rendered at every start date. Mail clients ignore <style> blocks and external CSS, so every style
 * is an attribute; the layout is tables so Outlook's Word engine lays it out like everyone else.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every interpolated value goes through here: text and attribute values alike. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

const FONT = "font-family:Arial,'Helvetica Neue',Helvetica,sans-serif";
const TEXT = `${FONT};font-size:15px;line-height:22px;color:#1f2933`;
const MUTED = `${FONT};font-size:13px;line-height:19px;color:#52606d`;
const ACCENT = '#0b5cad';

/** Translates like i18next's `t`, with `{{name}}` values and i18next plural forms chosen by `count`. */
export type EmailT = (key: string, values?: Record<string, string | number>) => string;

const MARK = '\uE000';
const translators = new Map<Locale, EmailT>();

/**
 * i18next takes 8–20 µs a call, and an email makes thirty: each (key, count, value names) is resolved
 * by i18next once, with markers in place of the values, and later calls only substitute the values.
 * Catalogs do not change while the process runs, so the memo never goes stale; counts are line
 * counts, so it stays small.
 */
export function emailTranslator(locale: Locale): EmailT {
  let cached = translators.get(locale);
  if (cached) return cached;
  const t = translator(locale);
  const templates = new Map<string, string>();
  cached = (key, values = {}) => {
    const names = Object.keys(values).filter((n) => n !== 'count');
    const memoKey = `${key}|${values.count ?? ''}|${names.join(',')}`;
    let template = templates.get(memoKey);
    if (template === undefined) {
      const markers: Record<string, string | number> = Object.fromEntries(
        names.map((n) => [n, `${MARK}${n}${MARK}`]),
      );
      if (values.count !== undefined) markers.count = values.count;
      template = t(key, markers);
      templates.set(memoKey, template);
    }
    return names.length === 0
      ? template
      : template.replace(/\uE000(\w+)\uE000/g, (_, n: string) => String(values[n] ?? ''));
  };
  translators.set(locale, cached);
  return cached;
}

export function paragraph(html: string, style = TEXT): string {
  return `<tr><td style="padding:0 32px 16px;${style}">${html}</td></tr>`;
}

export function heading(text: string): string {
  return `<tr><td style="padding:28px 32px 12px;${FONT};font-size:22px;line-height:28px;font-weight:bold;color:#1f2933">${esc(text)}</td></tr>`;
}

export function subheading(text: string): string {
  return `<tr><td style="padding:8px 32px 8px;${FONT};font-size:16px;line-height:22px;font-weight:bold;color:#1f2933">${esc(text)}</td></tr>`;
}

/** Label/value rows; values are escaped here. */
export function facts(rows: [string, string][], boxed = false): string {
  const cells = rows
    .map(
      ([label, value]) =>
        `<tr><td valign="top" style="padding:4px 12px 4px 0;${MUTED};width:40%">${esc(label)}</td><td valign="top" style="padding:4px 0;${TEXT}">${esc(value)}</td></tr>`,
    )
    .join('');
  const box = boxed ? 'border:1px solid #d9e2ec;border-radius:6px;padding:12px 16px;' : '';
  return `<tr><td style="padding:0 32px 16px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="${box}">${cells}</table></td></tr>`;
}

/** A "bulletproof" button: the link is the padded cell's content, so it works without images or CSS support. */
export function button(href: string, label: string): string {
  return `<tr><td style="padding:4px 32px 12px"><table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td align="center" bgcolor="${ACCENT}" style="border-radius:4px;background:${ACCENT}"><a href="${esc(href)}" target="_blank" style="display:inline-block;padding:12px 24px;${FONT};font-size:16px;font-weight:bold;line-height:20px;color:#ffffff;text-decoration:none;border-radius:4px">${esc(label)}</a></td></tr></table></td></tr>`;
}

export function link(href: string, label = href): string {
  return `<a href="${esc(href)}" target="_blank" style="color:${ACCENT};text-decoration:underline;word-break:break-all">${esc(label)}</a>`;
}

export function divider(): string {
  return '<tr><td style="padding:8px 32px 16px"><div style="border-top:1px solid #d9e2ec;height:1px;line-height:1px;font-size:1px">&nbsp;</div></td></tr>';
}

export function muted(html: string): string {
  return paragraph(html, MUTED);
}

/** The whole document: language and direction on <html>, a hidden preheader, a centred 600px card. */
export function documentShell(input: {
  locale: Locale;
  title: string;
  preheader: string;
  rows: string[];
}): string {
  return `<!doctype html><html lang="${esc(input.locale)}" dir="ltr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="x-apple-disable-message-reformatting"><meta name="color-scheme" content="light"><title>${esc(input.title)}</title></head><body style="margin:0;padding:0;background:#f0f4f8"><div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;font-size:1px;line-height:1px;color:#f0f4f8">${esc(input.preheader)}</div><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f0f4f8"><tr><td align="center" style="padding:24px 12px"><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border-radius:8px">${input.rows.join('')}<tr><td style="padding:0 0 16px"></td></tr></table></td></tr></table></body></html>`;
}

/** The plain-text part: paragraphs separated by blank lines, wrapped by the client. */
export function textBody(blocks: (string | false | null | undefined)[]): string {
  return `${blocks.filter((b): b is string => typeof b === 'string' && b.length > 0).join('\n\n')}\n`;
}

export function textFacts(rows: [string, string][]): string {
  return rows.map(([label, value]) => `${label}: ${value}`).join('\n');
}
