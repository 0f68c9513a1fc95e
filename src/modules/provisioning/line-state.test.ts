import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineActionState } from './line-state.ts';

const placer = { name: 'Northwind', email: null };
const sent = new Date('2026-12-01T09:00:00Z');

describe('when a line offers Start now', () => {
  const startNow = (rights: boolean, progress: Parameters<typeof lineActionState>[2]) =>
    lineActionState(rights, 'L1', progress, placer).startNowAvailable;

  it('offers it for a line booked for a later day, its email not sent, to who may act on it', () => {
    assert.equal(
      startNow(true, { first_email_sent_at: null, mapped_at: null, status: 'scheduled', starts_later: true }),
      true,
    );
  });

  it('does not offer it once sent, when due today, past the Point of No Return, or without the rights', () => {
    const future = { first_email_sent_at: null, mapped_at: null, status: 'scheduled', starts_later: true };
    assert.equal(startNow(true, { ...future, first_email_sent_at: sent }), false);
    assert.equal(startNow(true, { ...future, status: 'awaiting_provisioning_details' }), false);
    assert.equal(startNow(true, { ...future, starts_later: false }), false);
    assert.equal(startNow(true, { ...future, mapped_at: sent }), false);
    assert.equal(startNow(false, future), false);
    // A page that does not read the start date (the subscriptions list) does not offer it.
    assert.equal(startNow(true, { first_email_sent_at: null, mapped_at: null }), false);
    assert.equal(startNow(true, undefined), false);
  });
});
