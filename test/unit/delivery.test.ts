import assert from 'node:assert/strict';
import { handBackForm, judgeDelivery, mismatch, offeredNumbers, orderForm, returnedOf, type OrderedLine } from '../../src/domain/delivery';
import { releaseFormCsv, releaseFormHtml } from '../../src/carriers/adapter';
import { parseAddress } from '../../src/domain/numbers';

const line = (over: Partial<OrderedLine> = {}): OrderedLine => ({
  id: 'l1',
  tags: [],
  country: null,
  npa: null,
  kind: null,
  capabilities: [],
  quantity: 2,
  accepted: 0,
  ...over,
});
const ORDER = { id: 'o1', status: 'SUBMITTED', completedAt: null };

describe('delivery: a delivered number against its order line', () => {
  it('mismatch: fits, or says why not', () => {
    const p = parseAddress('+12065550123');
    assert.equal(mismatch(p, line()), null);
    assert.equal(mismatch(p, line({ country: 'US', npa: '206', tags: ['npa:206', 'country:us'] })), null);
    assert.equal(mismatch(p, line({ country: 'CA' })), 'country US, ordered CA');
    assert.equal(mismatch(p, line({ npa: '415' })), 'area code 206, ordered 415');
    assert.equal(mismatch(p, line({ kind: 'TOLL_FREE' })), `kind ${p.kind}, ordered TOLL_FREE`);
    assert.equal(mismatch(p, line({ tags: ['npa:415', 'quality:high'] })), 'lacks npa:415', 'only inherent tags are checked on delivery');
  });

  it('mismatch: a padded CHAR(2) country matches; US numbers of either line type fit MOBILE and FIXED_LINE', () => {
    const p = parseAddress('+12065550123');
    assert.equal(mismatch(p, line({ country: 'US' })), null);
    assert.equal(p.kind, 'FIXED_LINE_OR_MOBILE');
    assert.equal(mismatch(p, line({ kind: 'MOBILE' })), null);
    assert.equal(mismatch(p, line({ kind: 'FIXED_LINE' })), null);
  });

  it('judgeDelivery: accepts up to each line, returns the rest, skips what was decided, refuses what another order brought', () => {
    const lines = [line({ id: 'l1', npa: '206', quantity: 1 }), line({ id: 'l2', npa: '415', quantity: 1 })];
    const offered = offeredNumbers(
      {
        lines: [
          { lineId: 'l1', numbers: ['+12065550001', '+12065550002'] },
          { lineId: 'nope', numbers: ['+14155550001'] },
        ],
        numbers: ['garbage', '+13125550001', '+12065550009', '+12065550001'],
      },
      new Set(['l1', 'l2']),
    );
    assert.deepEqual(
      offered.slice(0, 3).map((o) => o.lineId),
      ['l1', 'l1', null],
    );
    const out = judgeDelivery(offered, {
      order: ORDER,
      lines,
      decided: new Set(['+12065550009']),
      known: new Map([['+13125550001', 'other-order']]),
    });
    assert.deepEqual(
      out.map((o) => [o.address, o.lineId, o.outcome]),
      [
        ['+12065550001', 'l1', 'ACCEPTED'],
        ['+12065550002', 'l1', 'MISMATCH_RETURNED'],
        ['+14155550001', 'l2', 'ACCEPTED'],
        ['garbage', null, 'INVALID'],
        ['+13125550001', null, 'DUPLICATE'],
      ],
    );
    assert.equal(out[1]!.reason, 'more than the line asked for');
    assert.deepEqual(
      returnedOf(out).map((r) => r.reason.split(':')[0]),
      ['MISMATCH_RETURNED', 'INVALID', 'DUPLICATE'],
    );
  });

  it('judgeDelivery: late numbers are RETURNED with why; one this order brought in already is not', () => {
    const closed = { id: 'o1', status: 'CANCELLED', completedAt: new Date('2024-01-02T03:04:05Z') };
    const out = judgeDelivery(offeredNumbers({ numbers: ['+12065550001', '+12065550002'] }, new Set()), {
      order: closed,
      lines: [line()],
      decided: new Set(),
      known: new Map([['+12065550002', 'o1']]),
      late: true,
    });
    assert.deepEqual(
      out.map((o) => [o.outcome, o.reason]),
      [
        ['RETURNED', 'delivered after the order stopped taking numbers (CANCELLED at 2024-01-02T03:04:05.000Z)'],
        ['ACCEPTED', null],
      ],
    );
  });

  it('orderForm: what the carrier is asked for, the country trimmed', () => {
    const form = orderForm({ id: 'o1', idempotencyKey: 'k', lines: [line({ country: 'US', npa: '206', kind: 'MOBILE', capabilities: ['sms'] })] }, 'Carrier');
    assert.deepEqual(form, {
      orderId: 'o1',
      idempotencyKey: 'k',
      providerName: 'Carrier',
      lines: [{ lineId: 'l1', quantity: 2, npa: '206', country: 'US', kind: 'MOBILE', capabilities: ['sms'] }],
    });
    assert.equal(orderForm({ id: 'o', idempotencyKey: 'k', lines: [line({ country: 'US' })] }, 'C').lines[0]!.country, 'US');
  });

  it("a release order's hand-back form: spare numbers released, rejected ones returned, each with why", () => {
    const form = handBackForm('o2', 'Paper <Telecom>', [
      { address: '+12065550100', from: 'AVAILABLE' },
      { address: '+12065550101', from: 'REJECTED' },
    ]);
    assert.deepEqual(
      form.numbers.map((n) => [n.address, n.action]),
      [
        ['+12065550100', 'release'],
        ['+12065550101', 'return'],
      ],
    );
    assert.equal(
      releaseFormCsv(form),
      'order_id,action,number,reason\no2,release,+12065550100,no longer needed\no2,return,+12065550101,rejected: did not pass quarantine or capability tests\n',
    );
    const html = releaseFormHtml(form);
    assert.ok(html.includes('Paper &lt;Telecom&gt;') && html.includes('+12065550101'));
  });
});
