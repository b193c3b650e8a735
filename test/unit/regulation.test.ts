// The country regulation manager's pure rules (src/domain/regulation.ts): how
// a kind's rule and its country's rule merge, what refuses an allocation and
// with which code, the domestic-only price, and addresses checked for their country.
import assert from 'node:assert/strict';
import { BadRequest, RegulationRefused } from '../../src/domain/errors';
import {
  EMPTY_RULE,
  addressRequiredByRules,
  checkPostalAddress,
  checkRule,
  constrainsAllocation,
  effectiveRule,
  offeredPrice,
  regulationRefusal,
  type CountryRule,
} from '../../src/domain/regulation';
import type { EndpointKind } from '../../src/domain/numbers';

const rule = (country: string, kind: EndpointKind | null, fields: Partial<CountryRule>, version = 1): CountryRule => ({
  ...EMPTY_RULE,
  country,
  kind,
  version,
  updatedBy: 'test',
  updatedAt: new Date(0),
  ...fields,
});

const RULES = [
  rule('DE', null, { agingSeconds: 86_400, kindsSold: ['MOBILE', 'FIXED_LINE'], maxPerAccount: 10 }),
  rule('DE', 'FIXED_LINE', { addressRequired: true, domesticOnly: true, domesticDiscountPercent: 20, agingSeconds: 7200 }, 3),
  rule('GB', 'MOBILE', { maxPerAccount: 2 }),
];

describe('country rules (pure)', () => {
  it("merges a kind's rule over its country's, field by field, naming the versions used", () => {
    const fixed = effectiveRule(RULES, 'de', 'FIXED_LINE')!;
    assert.equal(fixed.agingMs, 7_200_000, "the kind's own");
    assert.equal(fixed.maxPerAccount, 10, "the country's, inherited");
    assert.equal(fixed.capPerKind, false, "a country's cap counts every kind");
    assert.deepEqual(fixed.sources, [
      { country: 'DE', kind: 'FIXED_LINE', version: 3 },
      { country: 'DE', kind: null, version: 1 },
    ]);
    const mobile = effectiveRule(RULES, 'DE', 'MOBILE')!;
    assert.deepEqual([mobile.agingMs, mobile.addressRequired, mobile.domesticOnly, mobile.kindSold], [86_400_000, false, false, true]);
    assert.equal(effectiveRule(RULES, 'DE', 'PREMIUM_RATE')!.kindSold, false);
    assert.equal(effectiveRule(RULES, 'GB', 'MOBILE')!.capPerKind, true);
    assert.equal(effectiveRule(RULES, 'FR', 'MOBILE'), null, 'no rule: the global settings, nothing restricted');
    assert.equal(effectiveRule(RULES, null, 'SIP'), null);
  });

  it('answers whether an address is required for a country and kind (addressRequiredByRules)', () => {
    assert.equal(addressRequiredByRules(RULES, 'DE', 'FIXED_LINE'), true);
    assert.equal(addressRequiredByRules(RULES, 'DE', 'MOBILE'), false);
    assert.equal(addressRequiredByRules(RULES, 'US', 'MOBILE'), false);
  });

  it('refuses with the first rule the account does not meet, its code naming it', () => {
    const fixed = effectiveRule(RULES, 'DE', 'FIXED_LINE')!;
    assert.ok(constrainsAllocation(fixed));
    const noAddress = regulationRefusal(fixed, { addressOnFile: false, held: 0 }, '+4930123456')!;
    assert.ok(noAddress instanceof RegulationRefused);
    assert.equal(noAddress.code, 'address_required');
    assert.equal(noAddress.kind, 'conflict');
    assert.match(noAddress.message, /^\+4930123456: DE requires an address on file in DE for fixed_line numbers.*\(country rule DE\/fixed_line v3 \+ DE v1\)$/);
    assert.equal(regulationRefusal(fixed, { addressOnFile: true, held: 10 }, 'x')!.code, 'account_cap_reached');
    assert.equal(regulationRefusal(fixed, { addressOnFile: true, held: 9 }, 'x'), null);
    assert.equal(regulationRefusal(effectiveRule(RULES, 'DE', 'TOLL_FREE')!, { addressOnFile: true, held: 0 }, 'x')!.code, 'kind_not_sold');
    assert.equal(constrainsAllocation(effectiveRule([rule('US', null, { agingSeconds: 60 })], 'US', 'MOBILE')), false, 'rest periods alone take no lock');
  });

  it('prices a domestic-only number at its discount', () => {
    assert.equal(offeredPrice(199, effectiveRule(RULES, 'DE', 'FIXED_LINE')), 159);
    assert.equal(offeredPrice(199, effectiveRule(RULES, 'DE', 'MOBILE')), 199);
    assert.equal(offeredPrice(199, null), 199);
  });

  it('checks rule fields, naming each bad one', () => {
    assert.throws(
      () => checkRule('MOBILE', { agingSeconds: 0, kindsSold: ['MOBILE'], domesticDiscountPercent: 120 }),
      (e: unknown) => e instanceof BadRequest && e.issues.map((i) => i.field).join() === 'agingSeconds,domesticDiscountPercent,kindsSold',
    );
    assert.deepEqual(checkRule(null, { maxPerAccount: 0 }), { ...EMPTY_RULE, maxPerAccount: 0 });
  });

  it('checks addresses for their country', () => {
    const fields = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (e instanceof BadRequest) return e.issues.map((i) => i.field);
        throw e;
      }
      return [];
    };
    const base = { customerName: 'Acme', street: '1 Main St', locality: 'Town' };
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'US', region: 'CA', postalCode: '94103' })),
      [],
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'US', postalCode: '94103' })),
      ['region'],
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'US', region: 'CA', postalCode: '9410' })),
      ['postalCode'],
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'US', region: 'TX', postalCode: '94103' })),
      ['postalCode'],
      'a ZIP of another state',
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'GB', postalCode: 'EC1A 1BB' })),
      [],
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'GB', postalCode: '10115' })),
      ['postalCode'],
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'DE', postalCode: '10115' })),
      [],
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'DE', postalCode: 'SW1A 1AA' })),
      ['postalCode'],
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ ...base, country: 'CA', region: 'on', postalCode: 'K1A 0B1' })),
      [],
    );
    assert.deepEqual(
      fields(() => checkPostalAddress({ country: 'Deutschland', customerName: '', street: '', locality: 'x', postalCode: '' })),
      ['country', 'customerName', 'street', 'postalCode'],
    );
    assert.equal(checkPostalAddress({ ...base, country: 'ca', region: 'on', postalCode: 'k1a 0b1' }).region, 'ON');
  });
});
