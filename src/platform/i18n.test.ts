import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Catalog, LOCALES, loadCatalog, negotiateLocale, translator } from './i18n.ts';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

function leafKeys(catalog: Catalog, prefix = ''): string[] {
  return Object.entries(catalog).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : leafKeys(value, `${prefix}${key}.`),
  );
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort();
}

function valueAt(catalog: Catalog, key: string): string | undefined {
  let node: string | Catalog | undefined = catalog;
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

describe('message catalogs', () => {
  const english = loadCatalog('en');
  const englishKeys = leafKeys(english);
  const pluralBases = new Set(
    englishKeys.filter((k) => PLURAL_SUFFIX.test(k)).map((k) => k.replace(PLURAL_SUFFIX, '')),
  );
  const singularKeys = englishKeys.filter((k) => !PLURAL_SUFFIX.test(k));

  for (const locale of LOCALES) {
    it(`${locale} has every key, every plural form its language needs, and the same placeholders`, () => {
      const catalog = loadCatalog(locale);
      const keys = new Set(leafKeys(catalog));
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      const missing = [
        ...singularKeys.filter((k) => !keys.has(k)),
        ...[...pluralBases].flatMap((base) =>
          categories.map((c) => `${base}_${c}`).filter((k) => !keys.has(k)),
        ),
      ];
      assert.deepEqual(missing, [], `${locale} is missing keys`);
      const extra = [...keys].filter(
        (k) => !singularKeys.includes(k) && !pluralBases.has(k.replace(PLURAL_SUFFIX, '')),
      );
      assert.deepEqual(extra, [], `${locale} has keys English does not`);
      for (const key of singularKeys) {
        assert.deepEqual(
          placeholders(valueAt(catalog, key) ?? ''),
          placeholders(valueAt(english, key) ?? ''),
          `${locale}: ${key}`,
        );
      }
    });
  }

  it('picks the right plural form in Russian and Ukrainian', () => {
    const ru = translator('ru');
    assert.notEqual(ru('orders.line_count', { count: 1 }), ru('orders.line_count', { count: 2 }));
    assert.notEqual(ru('orders.line_count', { count: 2 }), ru('orders.line_count', { count: 5 }));
    assert.equal(
      ru('orders.line_count', { count: 21 }).replace('21', '1'),
      ru('orders.line_count', { count: 1 }),
    );
    const uk = translator('uk');
    assert.notEqual(
      uk('orders.line_count', { count: 3 }),
      uk('orders.line_count', { count: 11 }).replace('11', '3'),
    );
  });
});

describe('negotiateLocale', () => {
  it('honours quality values and regional variants', () => {
    assert.equal(negotiateLocale('it-IT,it;q=0.9,en;q=0.8'), 'it');
    assert.equal(negotiateLocale('pt-PT;q=0.9, ru;q=0.95'), 'ru');
    assert.equal(negotiateLocale('pt'), 'pt-BR');
    assert.equal(negotiateLocale('uk-UA'), 'uk');
    assert.equal(negotiateLocale('de-DE, fr;q=0.5'), 'en');
    assert.equal(negotiateLocale(undefined, 'it'), 'it');
    assert.equal(negotiateLocale('ru;q=0, it'), 'it');
  });
});
