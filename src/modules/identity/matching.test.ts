import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../platform/errors.ts';
import { searchDomain } from './matching.ts';
import { reversedSubdomainPattern } from './matching-repository.ts';

describe('matching: domains', () => {
  it('finds subdomains through the reversed name, with LIKE wildcards escaped', () => {
    assert.equal(reversedSubdomainPattern('acme.com'), 'moc.emca.%');
    assert.equal(reversedSubdomainPattern('a_b.com'), 'moc.b\\_a.%');
    assert.equal(reversedSubdomainPattern('100%.com'), 'moc.\\%001.%');
  });

  it('searches under the registrable domain of what was typed', () => {
    assert.equal(searchDomain('Mail.Acme.CO.UK.'), 'acme.co.uk');
    assert.equal(searchDomain('jane@eu.acme.com'), 'acme.com');
    assert.equal(searchDomain('ПРИМЕР.рф'), 'xn--e1afmkfd.xn--p1ai');
    assert.equal(searchDomain('team.github.io'), 'team.github.io');
  });

  it('refuses free mail, public suffixes and what is no domain, naming the field', () => {
    const rule = (typed: string) => {
      try {
        searchDomain(typed);
      } catch (error) {
        assert.ok(error instanceof DomainError);
        assert.equal(error.status, 400);
        return error.fields[0]?.rule;
      }
      return undefined;
    };
    assert.equal(rule('gmail.com'), 'matching_domain_free_mail');
    assert.equal(rule('mail.yahoo.co.uk'), 'matching_domain_free_mail');
    assert.equal(rule('github.io'), 'matching_domain_public_suffix');
    assert.equal(rule('рф'), 'matching_domain_public_suffix');
    assert.equal(rule('a b.com'), 'matching_domain_invalid');
    assert.equal(rule('   '), 'matching_domain_invalid');
  });
});
