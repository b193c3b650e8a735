// The Twilio-compatible face, driven by the official `twilio` npm package,
// unchanged, on the real stack (worker, Temporal, PostgreSQL). The client is
// pointed at the service the way its documentation allows for other hosts: a
// custom httpClient (a RequestClient subclass that sends each request to this
// API instead of api.twilio.com). Area codes 707, 279 and 833 are this
// suite's own.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import twilio from 'twilio';
import type RequestClientType from 'twilio/lib/base/RequestClient';
import { lifecyclePolicy } from '../../src/config';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { purchaseNumber } from '../../src/usecases/purchase';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { SHARED_TASK_QUEUE, apiKey, db, testConfig } from '../support/stack';

/** Twilio's RequestClient, sending to this API: the documented way to use the client with another host */
class LocalRequestClient extends twilio.RequestClient {
  /** `METHOD /path?query` of every request the client made */
  readonly seen: string[] = [];
  constructor(private readonly base: string) {
    super();
  }
  override request<T>(opts: RequestClientType.RequestOptions<T>) {
    const u = new URL(opts.uri);
    this.seen.push(`${opts.method.toUpperCase()} ${u.pathname}${u.search}`);
    return super.request({ ...opts, uri: new URL(`${u.pathname}${u.search}`, this.base).href });
  }
}

interface TwilioFailure {
  status: number;
  code: number;
  message: string;
  moreInfo: string;
}
/** the RestException the client throws, its Twilio code and status */
async function fails(what: Promise<unknown>, status: number, code: number): Promise<TwilioFailure> {
  try {
    await what;
  } catch (err) {
    const e = err as TwilioFailure;
    assert.equal(e.code, code, `code ${e.code} (${e.message}), expected ${code}`);
    assert.equal(e.status, status, e.message);
    assert.equal(e.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    return e;
  }
  assert.fail(`expected Twilio error ${code}`);
}

const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const A = 'acct-twilio-a';
const B = 'acct-twilio-b';
/** the 707 numbers: Vallejo, California (libphonenumber's geocoding), voice; SMS on even ones */
const VALLEJO = Array.from({ length: 6 }, (_, i) => `+17075550${String(300 + i * 11)}`);

describe('API: the Twilio-compatible face, through the official twilio client', function () {
  this.timeout(120_000);
  let parts: ApiStack;
  let client: Client;
  let app: ApiStack['app'];
  let gateway: ApiStack['gateway'];
  let http: LocalRequestClient;
  let tw: twilio.Twilio;
  let sidA = '';
  let sidB = '';
  let keyA = { id: '', key: '', twilioSid: '' };
  let keyB = { id: '', key: '', twilioSid: '' };
  let operator = '';
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s' });
  const v1 = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const shelve = async (addresses: string[], capable: (i: number) => { voice: boolean; sms: boolean }) => {
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) },
      addresses.map((address, i) => ({ address, capable: capable(i) })),
      { entry: 'quarantine', actor: 'test' },
    );
    await until(
      `${addresses.length} AVAILABLE`,
      async () => (await db().endpoint.count({ where: { address: { in: addresses }, state: 'AVAILABLE' } })) === addresses.length,
    );
  };
  const twilioFor = (user: string, password: string, accountSid?: string) =>
    twilio(user, password, { httpClient: new LocalRequestClient(app.url), ...(accountSid ? { accountSid } : {}) });

  before(async () => {
    parts = await startApiStack(config());
    ({ client, gateway, app } = parts);
    operator = await apiKey('OPERATOR');
    for (const id of [A, B]) {
      const res = await v1('POST', '/v1/accounts', operator, { id, name: id });
      assert.ok(res.status === 201 || res.status === 409, await res.text());
    }
    sidA = ((await (await v1('GET', `/v1/accounts/${A}`, operator)).json()) as { twilioSid: string }).twilioSid;
    sidB = ((await (await v1('GET', `/v1/accounts/${B}`, operator)).json()) as { twilioSid: string }).twilioSid;
    keyA = (await (await v1('POST', '/v1/keys', operator, { name: 'twilio-a', scope: 'platform', accountIds: [A] })).json()) as typeof keyA;
    keyB = (await (await v1('POST', '/v1/keys', operator, { name: 'twilio-b', scope: 'platform', accountIds: [B] })).json()) as typeof keyB;
    http = new LocalRequestClient(app.url);
    tw = twilio(sidA, keyA.key, { httpClient: http });
    await shelve(VALLEJO, (i) => ({ voice: true, sms: i % 2 === 0 }));
    await shelve(
      Array.from({ length: 4 }, (_, i) => `+12795550${String(300 + i * 11)}`),
      () => ({ voice: true, sms: true }),
    );
    await shelve(['+18335550300', '+18335550311'], () => ({ voice: true, sms: false }));
  });
  after(async () => {
    await parts.stop();
  });

  it('sids are Twilio-shaped and stable: AC for accounts, SK for keys', () => {
    assert.match(sidA, /^AC[0-9a-f]{32}$/);
    assert.match(keyA.twilioSid, /^SK[0-9a-f]{32}$/);
    assert.notEqual(sidA, sidB);
    assert.equal(keyA.twilioSid, `SK${keyA.id.replace(/-/g, '')}`);
  });

  it('searches with several filters: countries, area code, capabilities, contains, place, near a point; Twilio’s shape', async () => {
    const countries = await tw.availablePhoneNumbers.list();
    const us = countries.find((c) => c.countryCode === 'US');
    assert.ok(us, JSON.stringify(countries));
    assert.equal(us.country, 'United States');
    assert.equal(us.subresourceUris.local, `/2010-04-01/Accounts/${sidA}/AvailablePhoneNumbers/US/Local.json`);

    const sms = await tw.availablePhoneNumbers('US').local.list({ areaCode: 707, smsEnabled: true, voiceEnabled: true, limit: 20 });
    assert.deepEqual(
      sms.map((n) => n.phoneNumber),
      VALLEJO.filter((_, i) => i % 2 === 0),
    );
    const first = sms[0]!;
    assert.equal(first.friendlyName, '(707) 555-0300');
    assert.equal(first.isoCountry, 'US');
    assert.equal(first.region, 'CA');
    assert.equal(first.locality, 'Vallejo');
    assert.equal(first.addressRequirements, 'none');
    assert.equal(first.beta, false);
    assert.deepEqual(first.capabilities, { voice: true, SMS: true, MMS: false, fax: false });
    // Twilio writes coordinates as strings (its typings say number)
    assert.equal(String(first.latitude), '38.101900');

    const noSms = await tw.availablePhoneNumbers('US').local.list({ areaCode: 707, smsEnabled: false });
    assert.deepEqual(
      noSms.map((n) => n.phoneNumber),
      VALLEJO.filter((_, i) => i % 2 === 1),
    );
    // digits anywhere; a whole-number pattern with * from the start; keypad letters
    assert.deepEqual(
      (await tw.availablePhoneNumbers('US').local.list({ contains: '075550311' })).map((n) => n.phoneNumber),
      ['+17075550311'],
    );
    assert.deepEqual(
      (await tw.availablePhoneNumbers('US').local.list({ contains: '70755503*0' })).map((n) => n.phoneNumber),
      ['+17075550300'],
    );
    assert.deepEqual(
      (await tw.availablePhoneNumbers('US').local.list({ contains: '+1707555034*' })).map((n) => n.phoneNumber),
      ['+17075550344'],
    );
    // place: region and locality, near a point (miles), near a number
    const place = await tw
      .availablePhoneNumbers('US')
      .local.list({ areaCode: 707, inRegion: 'CA', inLocality: 'Vallejo', excludeAllAddressRequired: true, beta: false });
    assert.equal(place.length, 6);
    const near = await tw.availablePhoneNumbers('US').local.list({ nearLatLong: '38.11,-122.26', distance: 5, areaCode: 707 });
    assert.equal(near.length, 6);
    assert.equal((await tw.availablePhoneNumbers('US').local.list({ nearLatLong: '37.33,-121.89', distance: 5, areaCode: 707 })).length, 0);
    assert.equal((await tw.availablePhoneNumbers('US').local.list({ nearNumber: '+17075550999', distance: 10, areaCode: 707 })).length, 6);
    // data the service does not have (no carrier gave a rate center or LATA; no postal code for Vallejo): nothing matches, as on Twilio
    assert.deepEqual(await tw.availablePhoneNumbers('US').local.list({ areaCode: 707, inRateCenter: 'VALLEJO' }), []);
    assert.deepEqual(await tw.availablePhoneNumbers('US').local.list({ areaCode: 707, inLata: '722' }), []);
    assert.deepEqual(await tw.availablePhoneNumbers('US').local.list({ areaCode: 707, inPostalCode: '94590' }), []);
    // the number types: toll-free apart, no mobile-only numbers in the NANP
    assert.deepEqual(
      (await tw.availablePhoneNumbers('US').tollFree.list({ areaCode: 833 })).map((n) => n.phoneNumber),
      ['+18335550300', '+18335550311'],
    );
    assert.deepEqual(await tw.availablePhoneNumbers('US').mobile.list({ areaCode: 707 }), []);
    assert.deepEqual(await tw.availablePhoneNumbers('US').local.list({ areaCode: 833 }), []);
    // PageSize bounds the answer
    assert.equal((await tw.availablePhoneNumbers('US').local.list({ areaCode: 707, pageSize: 2, limit: 2 })).length, 2);

    // an API key SID and its secret, with the account SID, as Twilio's clients take them
    const byKey = twilioFor(keyA.twilioSid, keyA.key, sidA);
    assert.equal((await byKey.availablePhoneNumbers('US').local.list({ areaCode: 707 })).length, 6);
  });

  it('answers a country rule’s address requirement as `local`, and Exclude*AddressRequired leaves such numbers out', async () => {
    const rule = await v1('PUT', '/v1/country-rules/US/kinds/toll_free', operator, { addressRequired: true });
    assert.equal(rule.status, 201, await rule.text());
    try {
      const found = await tw.availablePhoneNumbers('US').tollFree.list({ areaCode: 833 });
      assert.deepEqual(
        found.map((n) => n.addressRequirements),
        ['local', 'local'],
      );
      assert.deepEqual(await tw.availablePhoneNumbers('US').tollFree.list({ areaCode: 833, excludeLocalAddressRequired: true }), []);
      assert.deepEqual(await tw.availablePhoneNumbers('US').tollFree.list({ areaCode: 833, excludeAllAddressRequired: true }), []);
      assert.equal((await tw.availablePhoneNumbers('US').tollFree.list({ areaCode: 833, excludeForeignAddressRequired: true })).length, 2);
    } finally {
      assert.equal((await v1('DELETE', '/v1/country-rules/US/kinds/toll_free', operator)).status, 200);
    }
    assert.deepEqual(
      (await tw.availablePhoneNumbers('US').tollFree.list({ areaCode: 833 })).map((n) => n.addressRequirements),
      ['none', 'none'],
    );
  });

  it('buys a number by PhoneNumber and by AreaCode: the same allocation /v1 makes, with its settings and history', async () => {
    const bought = await tw.incomingPhoneNumbers.create({
      phoneNumber: VALLEJO[0],
      friendlyName: 'front desk',
      voiceUrl: 'https://example.com/voice',
      voiceMethod: 'GET',
      smsUrl: 'https://example.com/sms',
      statusCallback: 'https://example.com/status',
    });
    assert.match(bought.sid, /^PN[0-9a-f]{32}$/);
    assert.equal(bought.accountSid, sidA);
    assert.equal(bought.phoneNumber, VALLEJO[0]);
    assert.equal(bought.friendlyName, 'front desk');
    assert.equal(bought.voiceUrl, 'https://example.com/voice');
    assert.equal(bought.voiceMethod, 'GET');
    assert.equal(bought.smsMethod, 'POST');
    assert.equal(bought.status, 'in-use');
    assert.ok(bought.dateCreated instanceof Date && !isNaN(bought.dateCreated.getTime()));
    assert.equal(bought.uri, `/2010-04-01/Accounts/${sidA}/IncomingPhoneNumbers/${bought.sid}.json`);

    // the same holding through /v1: the settings, the allocation in the endpoint's history by this key
    const mine = (await (await v1('GET', `/v1/accounts/${A}/numbers/${encodeURIComponent(VALLEJO[0]!)}`, keyA.key)).json()) as Record<string, unknown>;
    assert.equal(mine.state, 'ALLOCATED');
    assert.equal(mine.friendlyName, 'front desk');
    assert.equal(mine.statusCallback, 'https://example.com/status');
    const history = await db().endpointHistory.findMany({ where: { endpoint: { address: VALLEJO[0]! } }, orderBy: { at: 'asc' } });
    const allocations = history.filter((h) => h.toState === 'ALLOCATED');
    assert.equal(allocations.length, 1);
    assert.equal(allocations[0]!.actor, 'key:twilio-a');
    assert.equal(allocations[0]!.accountId, A);

    const byArea = await tw.incomingPhoneNumbers.create({ areaCode: '279' });
    assert.match(byArea.phoneNumber, /^\+1279555/);
    const again = await tw.incomingPhoneNumbers.create({ areaCode: '279', friendlyName: 'second' });
    const local = await tw.incomingPhoneNumbers.local.create({ phoneNumber: VALLEJO[1]! });
    assert.equal(local.phoneNumber, VALLEJO[1]);
    assert.match(again.phoneNumber, /^\+1279555/);
    assert.notEqual(again.phoneNumber, byArea.phoneNumber);
    assert.equal(again.friendlyName, 'second');
    const tollFree = await tw.incomingPhoneNumbers.tollFree.create({ phoneNumber: '+18335550300' });
    assert.equal(tollFree.phoneNumber, '+18335550300');
    // fetched by its sid: the same resource
    const fetched = await tw.incomingPhoneNumbers(bought.sid).fetch();
    assert.deepEqual([fetched.sid, fetched.phoneNumber, fetched.friendlyName], [bought.sid, VALLEJO[0], 'front desk']);
  });

  it('answers Twilio error codes: a taken number 21422, none in an area code 21452, an invalid number 21421, a bad parameter 21502, credentials 20003, not found 20404', async () => {
    // held by this account already (a retried purchase): not bought twice
    await fails(tw.incomingPhoneNumbers.create({ phoneNumber: VALLEJO[0] }), 400, 21422);
    // held by A, asked for by B: not available, and nothing said of A
    const twB = twilioFor(sidB, keyB.key);
    const taken = await fails(twB.incomingPhoneNumbers.create({ phoneNumber: VALLEJO[0] }), 400, 21422);
    assert.doesNotMatch(taken.message, new RegExp(A));
    await fails(tw.incomingPhoneNumbers.create({ phoneNumber: '+17075559999' }), 400, 21422);
    await fails(tw.incomingPhoneNumbers.create({ phoneNumber: '+1 555 0100' }), 400, 21421);
    await fails(tw.incomingPhoneNumbers.create({ areaCode: '236' }), 400, 21452);
    await fails(tw.incomingPhoneNumbers.create({ areaCode: '27' }), 400, 21451);
    const bad = await fails(tw.incomingPhoneNumbers.create({ phoneNumber: VALLEJO[2], voiceMethod: 'PUT' }), 400, 21502);
    assert.match(bad.message, /VoiceMethod/);
    await fails(tw.incomingPhoneNumbers.create({ phoneNumber: VALLEJO[2], trunkSid: 'TK123' }), 400, 21502);
    await fails(tw.incomingPhoneNumbers.create({ friendlyName: 'neither number nor area code' }), 400, 21502);
    await fails(tw.availablePhoneNumbers('US').local.list({ nearLatLong: 'north' }), 400, 21502);
    // nothing of that was bought
    assert.equal(await db().endpoint.count({ where: { address: VALLEJO[2], state: 'AVAILABLE' } }), 1);

    await fails(twilioFor(sidA, 'ei_000000000000_wrong').incomingPhoneNumbers.list(), 401, 20003);
    // B's key with A's account SID as the user name: the credentials do not belong together
    await fails(twilioFor(sidA, keyB.key).incomingPhoneNumbers.list(), 401, 20003);
    // B's credentials on A's account: another account's business does not exist
    await fails(twilioFor(sidB, keyB.key, sidA).incomingPhoneNumbers.list(), 404, 20404);
    await fails(tw.incomingPhoneNumbers(`PN${'0'.repeat(32)}`).fetch(), 404, 20404);
    // A's sid is not B's number
    const [held] = await tw.incomingPhoneNumbers.list({ phoneNumber: VALLEJO[0] });
    await fails(twB.incomingPhoneNumbers(held!.sid).fetch(), 404, 20404);
  });

  it('lists the account’s numbers across pages with the client’s own paging, filters them, updates and releases one', async () => {
    await tw.incomingPhoneNumbers.create({ phoneNumber: VALLEJO[4] });
    const v1Count = await db().endpoint.count({ where: { accountId: A } });
    assert.ok(v1Count >= 5, `${v1Count}`);

    const before = http.seen.length;
    const all = await tw.incomingPhoneNumbers.list({ pageSize: 2 });
    const pages = http.seen.slice(before).filter((r) => r.startsWith('GET /2010-04-01/') && r.includes('/IncomingPhoneNumbers.json'));
    assert.equal(all.length, v1Count);
    assert.equal(new Set(all.map((n) => n.sid)).size, all.length);
    assert.deepEqual(
      all.map((n) => n.phoneNumber),
      [...all.map((n) => n.phoneNumber)].sort(),
    );
    assert.equal(pages.length, Math.ceil(v1Count / 2), pages.join('\n'));
    // each() walks the same pages
    const each: string[] = [];
    await new Promise<void>((resolve, reject) =>
      tw.incomingPhoneNumbers.each({ pageSize: 3, callback: (n) => void each.push(n.phoneNumber), done: (err?: Error) => (err ? reject(err) : resolve()) }),
    );
    assert.deepEqual(
      each,
      all.map((n) => n.phoneNumber),
    );
    // the pages themselves: next and previous
    const first = await tw.incomingPhoneNumbers.page({ pageSize: 2 });
    const second = await first.nextPage();
    assert.ok(second);
    assert.deepEqual(
      second.instances.map((n) => n.phoneNumber),
      all.slice(2, 4).map((n) => n.phoneNumber),
    );
    const back = await second.previousPage();
    assert.ok(back);
    assert.deepEqual(
      back.instances.map((n) => n.phoneNumber),
      first.instances.map((n) => n.phoneNumber),
    );

    // filters: friendly name, part of the number, the sub-lists
    assert.deepEqual(
      (await tw.incomingPhoneNumbers.list({ friendlyName: 'front desk' })).map((n) => n.phoneNumber),
      [VALLEJO[0]],
    );
    assert.ok((await tw.incomingPhoneNumbers.list({ phoneNumber: '+1279' })).every((n) => n.phoneNumber.startsWith('+1279')));
    assert.equal((await tw.incomingPhoneNumbers.list({ phoneNumber: '+1279' })).length, 2);
    assert.deepEqual(
      (await tw.incomingPhoneNumbers.tollFree.list()).map((n) => n.phoneNumber),
      ['+18335550300'],
    );
    assert.ok((await tw.incomingPhoneNumbers.local.list({ pageSize: 1 })).every((n) => !n.phoneNumber.startsWith('+1833')));

    // update: Twilio's names, an empty URL clears it; /v1 sees the same
    const [desk] = await tw.incomingPhoneNumbers.list({ friendlyName: 'front desk' });
    const updated = await tw.incomingPhoneNumbers(desk!.sid).update({ friendlyName: 'lobby', smsMethod: 'GET', voiceUrl: '' });
    assert.deepEqual([updated.friendlyName, updated.smsMethod, updated.voiceUrl, updated.smsUrl], ['lobby', 'GET', null, 'https://example.com/sms']);
    const seen = (await (await v1('GET', `/v1/accounts/${A}/numbers/${encodeURIComponent(VALLEJO[0]!)}`, keyA.key)).json()) as Record<string, unknown>;
    assert.deepEqual([seen.friendlyName, seen.smsMethod, seen.voiceUrl], ['lobby', 'GET', null]);

    // delete: released (it ages), gone from the list, its sid 20404
    assert.equal(await tw.incomingPhoneNumbers(desk!.sid).remove(), true);
    assert.equal((await db().endpoint.findUniqueOrThrow({ where: { address: VALLEJO[0]! } })).state, 'AGING');
    await fails(tw.incomingPhoneNumbers(desk!.sid).fetch(), 404, 20404);
    assert.equal((await tw.incomingPhoneNumbers.list()).length, v1Count - 1);
  });

  it('speaks Twilio over plain HTTP too: RFC 2822 dates, form bodies only, its 401, 404 and 405', async () => {
    const basic = `Basic ${Buffer.from(`${sidA}:${keyA.key}`).toString('base64')}`;
    const base = `${app.url}/2010-04-01/Accounts/${sidA}`;
    const page = (await (await fetch(`${base}/IncomingPhoneNumbers.json?PageSize=1`, { headers: { authorization: basic } })).json()) as {
      incoming_phone_numbers: { date_created: string; date_updated: string }[];
      next_page_uri: string | null;
      first_page_uri: string;
      page_size: number;
    };
    assert.match(page.incoming_phone_numbers[0]!.date_created, RFC2822);
    assert.match(page.incoming_phone_numbers[0]!.date_updated, RFC2822);
    assert.match(page.next_page_uri ?? '', /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/IncomingPhoneNumbers\.json\?PageSize=1&Page=1&PageToken=/);
    assert.equal(page.first_page_uri, `/2010-04-01/Accounts/${sidA}/IncomingPhoneNumbers.json?PageSize=1&Page=0`);

    const none = await fetch(`${base}/IncomingPhoneNumbers.json`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic/);
    assert.equal(((await none.json()) as { code: number }).code, 20003);
    const json = await fetch(`${base}/IncomingPhoneNumbers.json`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ AreaCode: '279' }),
    });
    assert.equal(json.status, 415);
    assert.equal(((await json.json()) as { code: number }).code, 21502);
    const missing = await fetch(`${base}/Calls.json`, { headers: { authorization: basic } });
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys((await missing.json()) as object).sort(), ['code', 'message', 'more_info', 'status']);
    const put = await fetch(`${base}/IncomingPhoneNumbers.json`, { method: 'PUT', headers: { authorization: basic } });
    assert.equal(put.status, 405);
    assert.equal(((await put.json()) as { code: number }).code, 20004);
    // a /v1 key as Bearer is not how Twilio's face takes credentials
    assert.equal((await fetch(`${base}/IncomingPhoneNumbers.json`, { headers: { authorization: `Bearer ${keyA.key}` } })).status, 401);
  });

  it('a purchase is atomic: one whose settings cannot be written holds nothing; an Idempotency-Key, when sent, makes a retry the same purchase', async () => {
    const [address] = ['+17075551300'];
    await shelve([address], () => ({ voice: true, sms: true }));
    // PostgreSQL refuses the settings' write after the allocation: the number is handed back, the error answered
    const real = db();
    const failing = new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== '$queryRaw' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (JSON.stringify(args).includes('INSERT INTO number_settings')) return Promise.reject(new Error('could not extend file: No space left on device'));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const who = { keyId: keyA.id, name: 'twilio-a', scope: 'PLATFORM' as const, accountIds: [A], providerId: null, rateLimit: null };
    await assert.rejects(
      purchaseNumber(
        { db: failing, temporal: gateway, notify: () => undefined },
        who,
        { accountId: A, address, settings: { friendlyName: 'x' } },
        {
          operation: crypto.randomUUID(),
          resumable: false,
        },
      ),
      /No space left/,
    );
    const row = await db().endpoint.findUniqueOrThrow({ where: { address } });
    assert.deepEqual([row.state, row.accountId], ['AGING', null]);

    // sent with an Idempotency-Key (Twilio's clients do not; others may): the retry is answered, not bought again
    const again = '+17075551311';
    await shelve([again], () => ({ voice: true, sms: true }));
    const buy = () =>
      fetch(`${app.url}/2010-04-01/Accounts/${sidA}/IncomingPhoneNumbers.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${sidA}:${keyA.key}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': 'twilio-retry-1',
        },
        body: new URLSearchParams({ AreaCode: '707', FriendlyName: 'once' }).toString(),
      });
    const first = await buy();
    assert.equal(first.status, 201, await first.clone().text());
    const second = await buy();
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    const [a, b] = [(await first.json()) as { sid: string }, (await second.json()) as { sid: string }];
    assert.equal(a.sid, b.sid);
    assert.equal((await tw.incomingPhoneNumbers.list({ friendlyName: 'once' })).length, 1);
  });

  it('a deactivated account answers 20005; a key of another scope 20403', async () => {
    const C = 'acct-twilio-c';
    assert.equal((await v1('POST', '/v1/accounts', operator, { id: C, name: C })).status, 201);
    const keyC = (await (await v1('POST', '/v1/keys', operator, { name: 'twilio-c', scope: 'platform', accountIds: [C] })).json()) as typeof keyA;
    const sidC = ((await (await v1('GET', `/v1/accounts/${C}`, operator)).json()) as { twilioSid: string }).twilioSid;
    const twC = twilioFor(sidC, keyC.key);
    assert.deepEqual(await twC.incomingPhoneNumbers.list(), []);
    assert.equal((await v1('POST', `/v1/accounts/${C}/deactivation`, operator)).status, 200);
    // the key cache holds a key's accounts for up to 10 s: a fresh client process would see it at once; wait for this one
    await until(
      'the deactivation seen',
      async () => {
        try {
          await twC.incomingPhoneNumbers.list();
          return false;
        } catch (err) {
          return (err as TwilioFailure).code === 20005;
        }
      },
      15_000,
    );
    await fails(twC.incomingPhoneNumbers.create({ areaCode: '707' }), 403, 20005);
    await fails(twilioFor(sidA, operator).incomingPhoneNumbers.list(), 403, 20403);
  });

  it('the README tour’s Twilio-client snippet runs as written: it buys a 510 number', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const code = /^node -e "([\s\S]*?)"$/m.exec(readme)?.[1];
    assert.ok(code, 'the README has a node -e snippet');
    await shelve(['+15102010300'], () => ({ voice: true, sms: true }));
    const js = code.replaceAll('$API', app.url).replaceAll('$SID', sidA).replaceAll('$PL', keyA.key);
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', js], { cwd: join(__dirname, '..', '..'), timeout: 30_000 });
    const sid = stdout.trim();
    assert.match(sid, /^PN[0-9a-f]{32}$/);
    assert.equal((await tw.incomingPhoneNumbers(sid).fetch()).phoneNumber, '+15102010300');
  });

  it('a Twilio purchase and a /v1 allocation racing for the same number: exactly one wins, each time', async () => {
    const race = Array.from({ length: 4 }, (_, i) => `+17075551${String(100 + i * 11)}`);
    await shelve(race, () => ({ voice: true, sms: true }));
    const twB = twilioFor(sidB, keyB.key);
    for (const address of race) {
      const [viaTwilio, viaV1] = await Promise.allSettled([
        twB.incomingPhoneNumbers.create({ phoneNumber: address }),
        v1('POST', '/v1/allocations', keyA.key, { accountId: A, address }).then(async (r) => ({ status: r.status, body: await r.text() })),
      ]);
      const twilioWon = viaTwilio.status === 'fulfilled';
      const v1Won = viaV1.status === 'fulfilled' && viaV1.value.status === 201;
      assert.ok(twilioWon !== v1Won, `${address}: twilio ${viaTwilio.status}, v1 ${viaV1.status === 'fulfilled' ? viaV1.value.status : 'rejected'}`);
      if (!twilioWon) assert.equal((viaTwilio.reason as TwilioFailure).code, 21422);
      else assert.equal(viaV1.status === 'fulfilled' && viaV1.value.status, 409);
      const row = await db().endpoint.findUniqueOrThrow({ where: { address } });
      assert.deepEqual([row.state, row.accountId], ['ALLOCATED', twilioWon ? B : A]);
      const allocated = await db().endpointHistory.count({ where: { endpoint: { address }, toState: 'ALLOCATED' } });
      assert.equal(allocated, 1);
    }
  });
});
