import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mappingInput, neighbour, path, readState, stepProblems } from './wizard-state.ts';

describe('wizard state', () => {
  it('walks the customer side only for "my company", both sides otherwise', () => {
    assert.deepEqual(path(readState({ role: 'my_company' })), ['start', 'role', 'customer', 'review']);
    const forCustomer = readState({ role: 'customer' });
    assert.equal(neighbour(forCustomer, 'setup_by', 1), 'partner');
    assert.equal(neighbour(forCustomer, 'start', -1), 'start');
    assert.equal(neighbour(readState({ role: 'my_company' }), 'customer', -1), 'role');
  });

  it('names the field at fault for each step', () => {
    assert.deepEqual(stepProblems(readState({}), 'role'), [{ field: 'role', rule: 'required' }]);
    assert.deepEqual(stepProblems(readState({ role: 'someone_else', handoffEmail: 'x' }), 'role'), [
      { field: 'handoffEmail', rule: 'email' },
    ]);
    const create = readState({
      partnerPick: 'create',
      partnerName: '',
      partnerVertical: 'nope',
      partnerCountry: 'ZZ',
    });
    assert.deepEqual(
      stepProblems(create, 'partner').map((f) => f.field),
      ['partnerName', 'partnerVertical', 'partnerCountry'],
    );
    assert.deepEqual(stepProblems(readState({ adminEmail: 'boss@пример.рф' }), 'admin'), []);
  });

  it('ignores what is not a state field and turns the state into a mapping', () => {
    const state = readState({
      role: 'customer',
      setupBy: 'self',
      partnerPick: 'create',
      partnerName: 'P',
      partnerVertical: 'retail',
      partnerCountry: 'IT',
      adminEmail: 'a@b.example',
      customerPick: '7b0c1a9e-4a9e-4c39-9a57-2f0c6f1d2b11',
      customerSearched: 'b.example',
      customerSetsUp: '1',
      evil: 'x',
    });
    assert.equal('evil' in state, false);
    assert.deepEqual(mappingInput(state), {
      role: 'customer',
      setupBy: 'self',
      partner: { create: { name: 'P', businessVertical: 'retail', country: 'IT' } },
      customerAdminEmail: 'a@b.example',
      customer: { organizationId: '7b0c1a9e-4a9e-4c39-9a57-2f0c6f1d2b11', searchedDomain: 'b.example' },
      customerSetsUpServices: true,
    });
  });
});
