import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor } from '../../platform/context.ts';
import {
  mayDecideJoinRequest,
  mayManageApiKeys,
  mayManageCustomerOrganization,
  mayManageWebhookEndpoint,
  mayOperate,
  mayPlaceOrders,
  maySetUpServices,
  orderScope,
  requireAccountable,
  requireCaseOpener,
  requireOperator,
  requireOrderingActor,
  supportCaseScope,
  webhookOwner,
} from './policy.ts';

const ORG = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const user = (
  role: 'partner_admin' | 'partner_user' | 'customer_admin',
  orgKind: 'partner' | 'distributor' | 'customer',
): Actor => ({
  type: 'user',
  userId: 'u',
  orgId: ORG,
  orgKind,
  role,
  email: 'a@b.example',
});
const key = (orgKind: 'partner' | 'distributor' | 'customer'): Actor => ({
  type: 'api_key',
  apiKeyId: 'k',
  orgId: ORG,
  orgKind,
});
const system: Actor = { type: 'system', name: 'cli' };
const anonymous: Actor = { type: 'anonymous' };

describe('access policy', () => {
  it('lets partners and distributors place orders, by user or key; never customers, Provisio itself or strangers', () => {
    for (const actor of [
      user('partner_admin', 'partner'),
      user('partner_user', 'distributor'),
      key('partner'),
      key('distributor'),
    ])
      assert.equal(mayPlaceOrders(actor), true, JSON.stringify(actor));
    for (const actor of [user('customer_admin', 'customer'), key('customer'), system, anonymous]) {
      assert.equal(mayPlaceOrders(actor), false, JSON.stringify(actor));
      assert.throws(() => requireOrderingActor(actor), { code: 'forbidden' });
    }
  });

  it('scopes orders to the actor’s organization, all of them for Provisio, none for an anonymous caller', () => {
    assert.deepEqual(orderScope(user('partner_user', 'partner')), { orgId: ORG });
    assert.deepEqual(orderScope(key('distributor')), { orgId: ORG });
    assert.equal(orderScope(system), 'all');
    assert.throws(() => orderScope(anonymous), { code: 'not_found' });
  });

  it('lets only an organization’s own admins (and the CLI) manage its API keys', () => {
    assert.equal(mayManageApiKeys(user('partner_admin', 'partner'), ORG), true);
    assert.equal(mayManageApiKeys(user('partner_admin', 'partner'), OTHER), false);
    assert.equal(mayManageApiKeys(user('partner_user', 'partner'), ORG), false);
    assert.equal(mayManageApiKeys(user('customer_admin', 'customer'), ORG), false);
    assert.equal(mayManageApiKeys(key('partner'), ORG), false);
    assert.equal(mayManageApiKeys(system, ORG), true);
    assert.equal(mayManageApiKeys(anonymous, ORG), false);
  });

  it('records history only for an actor it can name', () => {
    assert.equal(requireAccountable(system), system);
    assert.throws(() => requireAccountable(anonymous), { code: 'forbidden' });
  });
});

describe('operators (the vendor back office)', () => {
  const operator: Actor = {
    type: 'user',
    userId: 'op',
    orgId: OTHER,
    orgKind: 'vendor',
    role: 'operator',
    email: 'ops@provisio.example',
  };
  const vendorKey: Actor = { type: 'api_key', apiKeyId: 'vk', orgId: OTHER, orgKind: 'vendor' };

  it('see every order and every support case, but place no orders and open no cases', () => {
    assert.equal(mayOperate(operator), true);
    assert.equal(orderScope(operator), 'all');
    assert.equal(supportCaseScope(operator), 'all');
    assert.equal(mayPlaceOrders(operator), false);
    assert.throws(() => requireCaseOpener(operator), { code: 'forbidden' });
  });

  it('are users with the operator role in a vendor organization only', () => {
    for (const actor of [user('partner_admin', 'partner'), key('partner'), vendorKey, system, anonymous]) {
      assert.equal(mayOperate(actor), false);
    }
    assert.throws(() => requireOperator(user('partner_admin', 'partner')), { code: 'not_found' });
    assert.equal(mayPlaceOrders(vendorKey), false);
    assert.deepEqual(supportCaseScope(user('partner_user', 'distributor')), { orgId: ORG });
  });
});

describe('who sets up services', () => {
  const facts = (customerOrgId: string, partnerManagesCustomer: boolean) => ({
    order: { partnerOrgId: ORG, placedByOrgId: ORG },
    partnerOrgId: ORG,
    customerOrgId,
    partnerManagesCustomer,
  });

  it("lets a partner set up an order for its own company, and a customer's only while it manages the customer", () => {
    assert.equal(maySetUpServices(user('partner_admin', 'partner'), facts(ORG, false)), true);
    assert.equal(maySetUpServices(user('partner_user', 'partner'), facts(ORG, false)), true);
    assert.equal(maySetUpServices(user('partner_admin', 'partner'), facts(OTHER, true)), true);
    assert.equal(maySetUpServices(user('partner_admin', 'partner'), facts(OTHER, false)), false);
    assert.equal(
      maySetUpServices(user('customer_admin', 'customer'), { ...facts(ORG, false), partnerOrgId: OTHER }),
      true,
    );
  });
});

describe('provisioning admin and full admin (W6)', () => {
  const THIRD = '00000000-0000-4000-8000-000000000003';
  // A subscription another partner (THIRD) sold to the customer OTHER; the caller's partner ORG
  // manages OTHER with the access given.
  const sold = (viewerAccess: 'full_admin' | 'provisioning_admin') => ({
    order: { partnerOrgId: THIRD, placedByOrgId: THIRD },
    partnerOrgId: THIRD,
    customerOrgId: OTHER,
    partnerManagesCustomer: true,
    viewerAccess,
  });

  it("refuses a provisioning admin what a full admin may do: the customer's users and others' setups", () => {
    for (const actor of [user('partner_admin', 'partner'), user('partner_user', 'partner'), key('partner')]) {
      assert.equal(mayManageCustomerOrganization(actor, 'provisioning_admin'), false);
      assert.equal(mayManageCustomerOrganization(actor, 'full_admin'), true);
      assert.equal(maySetUpServices(actor, sold('provisioning_admin')), false);
      assert.equal(maySetUpServices(actor, sold('full_admin')), true);
    }
    assert.equal(mayManageCustomerOrganization(user('partner_admin', 'partner'), null), false);
  });

  it("lets only the organization's own admins decide who joins it", () => {
    assert.equal(mayDecideJoinRequest(user('partner_admin', 'partner'), ORG), true);
    assert.equal(mayDecideJoinRequest(user('customer_admin', 'customer'), ORG), true);
    assert.equal(mayDecideJoinRequest(user('partner_user', 'partner'), ORG), false);
    assert.equal(mayDecideJoinRequest(user('partner_admin', 'partner'), OTHER), false);
    assert.equal(mayDecideJoinRequest(key('partner'), ORG), false);
    assert.equal(mayDecideJoinRequest(system, ORG), false);
  });
});

describe('webhook endpoints (docs/adr/0031)', () => {
  const operator: Actor = {
    type: 'user',
    userId: 'o',
    orgId: OTHER,
    orgKind: 'vendor',
    role: 'operator',
    email: 'ops@vendor.example',
  };
  const vendorKey: Actor = { type: 'api_key', apiKeyId: 'v', orgId: OTHER, orgKind: 'vendor' };

  it("partner and distributor admins and keys own their organization's; operators and vendor keys the vendor's", () => {
    assert.deepEqual(webhookOwner(user('partner_admin', 'partner')), { orgId: ORG });
    assert.deepEqual(webhookOwner(user('partner_admin', 'distributor')), { orgId: ORG });
    assert.deepEqual(webhookOwner(key('distributor')), { orgId: ORG });
    assert.equal(webhookOwner(operator), 'vendor');
    assert.equal(webhookOwner(vendorKey), 'vendor');
    assert.equal(webhookOwner(system), 'vendor');
  });

  it('nobody else has any: not found', () => {
    for (const actor of [
      user('partner_user', 'partner'),
      user('customer_admin', 'customer'),
      key('customer'),
      anonymous,
    ])
      assert.throws(() => webhookOwner(actor), /not_found/);
  });

  it("never lets one owner manage another's endpoint", () => {
    assert.equal(mayManageWebhookEndpoint(user('partner_admin', 'partner'), ORG), true);
    assert.equal(mayManageWebhookEndpoint(user('partner_admin', 'partner'), OTHER), false);
    assert.equal(mayManageWebhookEndpoint(user('partner_admin', 'partner'), null), false);
    assert.equal(mayManageWebhookEndpoint(operator, null), true);
    assert.equal(mayManageWebhookEndpoint(operator, ORG), false);
    assert.equal(mayManageWebhookEndpoint(vendorKey, ORG), false);
  });
});
