import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressLines } from './address.ts';

describe('addressLines: each country’s own order of street, postal code, city and region', () => {
  it('United States: "City, ST 12345"', () => {
    assert.deepEqual(
      addressLines('en', {
        addressLine1: '1600 Amphitheatre Pkwy',
        city: 'Mountain View',
        stateRegion: 'CA',
        postalCode: '94043',
        country: 'US',
      }),
      ['1600 Amphitheatre Pkwy', 'Mountain View, CA 94043', 'United States'],
    );
  });

  it('Italy: "12345 City (PR)", the country in the reader’s language', () => {
    assert.deepEqual(
      addressLines('it', {
        addressLine1: 'Via Roma 1',
        addressLine2: 'Scala B',
        city: 'Milano',
        stateRegion: 'MI',
        postalCode: '20121',
        country: 'IT',
      }),
      ['Via Roma 1', 'Scala B', '20121 Milano (MI)', 'Italia'],
    );
    assert.deepEqual(
      addressLines('en', { addressLine1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'it' }),
      ['Via Roma 1', '20121 Milano', 'Italy'],
    );
  });

  it('Brazil: "City-UF", then the CEP', () => {
    assert.deepEqual(
      addressLines('pt-BR', {
        addressLine1: 'Av. Paulista, 1000',
        city: 'São Paulo',
        stateRegion: 'SP',
        postalCode: '01310-100',
        country: 'BR',
      }),
      ['Av. Paulista, 1000', 'São Paulo-SP', '01310-100', 'Brasil'],
    );
  });

  it('Russia and Ukraine: city, region, then the postal code', () => {
    assert.deepEqual(
      addressLines('ru', {
        addressLine1: 'ул. Тверская, д. 7',
        city: 'Москва',
        postalCode: '125009',
        country: 'RU',
      }),
      ['ул. Тверская, д. 7', 'Москва', '125009', 'Россия'],
    );
    assert.deepEqual(
      addressLines('uk', {
        addressLine1: 'вул. Хрещатик, 1',
        city: 'Бровари',
        stateRegion: 'Київська обл.',
        postalCode: '07400',
        country: 'UA',
      }),
      ['вул. Хрещатик, 1', 'Бровари', 'Київська обл.', '07400', 'Україна'],
    );
  });

  it('United Kingdom: town, then the postcode on its own line', () => {
    assert.deepEqual(
      addressLines('en', {
        addressLine1: '10 Downing Street',
        city: 'London',
        postalCode: 'SW1A 2AA',
        country: 'GB',
      }),
      ['10 Downing Street', 'London', 'SW1A 2AA', 'United Kingdom'],
    );
  });

  it('Germany: "12345 City", no region', () => {
    assert.deepEqual(
      addressLines('en', {
        addressLine1: 'Unter den Linden 1',
        city: 'Berlin',
        stateRegion: 'Berlin',
        postalCode: '10117',
        country: 'DE',
      }),
      ['Unter den Linden 1', '10117 Berlin', 'Germany'],
    );
  });

  it('leaves out what is missing, with no stray punctuation', () => {
    assert.deepEqual(addressLines('en', { addressLine1: 'Main St 1', city: 'Springfield', country: 'US' }), [
      'Main St 1',
      'Springfield',
      'United States',
    ]);
    assert.deepEqual(addressLines('pt-BR', { addressLine1: 'Rua A', city: 'Recife', country: 'BR' }), [
      'Rua A',
      'Recife',
      'Brasil',
    ]);
    assert.deepEqual(
      addressLines('en', { addressLine1: 'Rua A', city: 'Tokyo', postalCode: '100-0001', country: 'JP' }),
      ['Rua A', '100-0001 Tokyo', 'Japan'],
    );
  });
});
