// The conformance checker (test/support/conformance.ts) that holds every
// response the suite sees to the OpenAPI document: it must catch a response
// that does not match, or it proves nothing.
import assert from 'node:assert/strict';
import express from 'express';
import { Conformance, seen, type SeenResponse } from '../support/conformance';
import { apiDocument } from '../support/document';
import { serve } from '../support/http';

const problem = (status: number, code: string, path: string) =>
  JSON.stringify({
    type: `urn:endpoint-inventory:problem:${code}`,
    title: 'x',
    status,
    detail: 'x',
    instance: path,
    requestId: 'r-1',
    code,
  });
const grouping = {
  id: '7d444840-9dc0-41d1-b245-5ffdce74fad2',
  name: 'g',
  tags: ['npa:415'],
  key: 'npa:415',
  minAvailable: 1,
  targetAvailable: 2,
  maxAvailable: 3,
  autoAdjust: false,
  preferredProviderIds: [],
  enabled: true,
  anchor: 'npa:415',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};
const json = 'application/json; charset=utf-8';

describe('OpenAPI conformance checker', () => {
  const checker = new Conformance(apiDocument());
  const check = (r: Partial<SeenResponse>) => checker.check({ method: 'GET', path: '/v1/groupings', status: 200, contentType: json, body: '', ...r });

  it('holds the Twilio face to Twilio’s error body, and /v1 to problems', () => {
    const ac = `AC${'a'.repeat(32)}`;
    const twilioError = (status: number, code: number) =>
      JSON.stringify({ code, message: 'x', more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    const numbers = `/2010-04-01/Accounts/${ac}/IncomingPhoneNumbers.json`;
    assert.equal(check({ path: numbers, status: 404, contentType: json, body: twilioError(404, 20404) }), null);
    assert.equal(check({ path: `/2010-04-01/Accounts/${ac}/Calls.json`, status: 404, contentType: json, body: twilioError(404, 20404) }), null);
    assert.equal(check({ method: 'PUT', path: numbers, status: 405, contentType: json, body: twilioError(405, 20004) }), null);
    assert.match(
      check({ path: numbers, status: 404, contentType: 'application/problem+json', body: problem(404, 'not_found', numbers) }) ?? '',
      /Content-Type/,
    );
    assert.match(check({ path: numbers, status: 404, contentType: json, body: JSON.stringify({ code: 20404 }) }) ?? '', /does not match/);
    assert.match(check({ status: 401, contentType: json, body: twilioError(401, 20003) }) ?? '', /Content-Type/);
    assert.match(check({ path: numbers, status: 200, contentType: json, body: JSON.stringify({ incoming_phone_numbers: [{}] }) }) ?? '', /does not match/);
  });

  it('passes a response the document describes', () => {
    assert.equal(check({ body: JSON.stringify({ groupings: [grouping] }) }), null);
    assert.equal(check({ status: 401, contentType: 'application/problem+json', body: problem(401, 'unauthorized', '/v1/groupings') }), null);
    assert.equal(
      check({ method: 'DELETE', status: 405, contentType: 'application/problem+json', body: problem(405, 'method_not_allowed', '/v1/groupings') }),
      null,
    );
    assert.equal(check({ path: '/v1/nowhere', status: 404, contentType: 'application/problem+json', body: problem(404, 'not_found', '/v1/nowhere') }), null);
    assert.equal(check({ path: '/v1/orders/7d444840-9dc0-41d1-b245-5ffdce74fad2/form.csv', contentType: 'text/csv; charset=utf-8', body: 'a,b' }), null);
  });

  it('catches a body that does not match, an undeclared status or content type, and a non-problem error', () => {
    assert.match(check({ body: JSON.stringify({ groupings: [{ ...grouping, minAvailable: 'one' }] }) }) ?? '', /does not match .*minAvailable/);
    assert.match(check({ body: JSON.stringify({ groupings: [{ ...grouping, colour: 'red' }] }) }) ?? '', /additional properties/);
    assert.match(check({ body: JSON.stringify({ groupings: [grouping], extra: 1 }) }) ?? '', /does not match/);
    assert.match(check({ status: 418, body: '{}' }) ?? '', /418 is not among/);
    assert.match(check({ contentType: 'text/html', body: '<p>' }) ?? '', /Content-Type text\/html/);
    assert.match(check({ status: 401, body: JSON.stringify({ error: { code: 'unauthorized', message: 'x' } }) }) ?? '', /Content-Type application\/json/);
    assert.match(
      check({ status: 401, contentType: 'application/problem+json', body: JSON.stringify({ error: { code: 'unauthorized' } }) }) ?? '',
      /does not match .*must have required property .type./,
    );
    assert.match(check({ path: '/v1/nowhere', status: 200, body: '{}' }) ?? '', /path the document does not have/);
    assert.match(check({ method: 'DELETE', status: 200, body: '{}' }) ?? '', /expected the 405 problem/);
    assert.match(check({ path: '/v1/endpoints', body: JSON.stringify({ endpoints: [], next: 5 }) }) ?? '', /next/);
    const limited = { status: 429, contentType: 'application/problem+json', body: problem(429, 'rate_limited', '/v1/groupings') };
    assert.equal(check({ ...limited, headers: { 'x-request-id': 'r-1', 'retry-after': '3' } }), null);
    assert.match(check({ ...limited, headers: { 'x-request-id': 'r-1' } }) ?? '', /no Retry-After/);
    assert.match(check({ ...limited, headers: { 'retry-after': '3' } }) ?? '', /no X-Request-Id/);
    assert.match(
      check({
        method: 'DELETE',
        status: 405,
        contentType: 'application/problem+json',
        body: problem(405, 'method_not_allowed', '/v1/groupings'),
        headers: { 'x-request-id': 'r' },
      }) ?? '',
      /no Allow/,
    );
  });

  it('serve() records every response of an app with a document, mismatches included', async () => {
    const app = express();
    app.locals.openapi = apiDocument();
    app.get('/v1/groupings', (_req, res) => {
      res.setHeader('X-Request-Id', 'r-1');
      res.json({ groupings: [{ name: 'no id' }] });
    });
    const served = await serve(app);
    const [count, before] = [seen.responses, seen.mismatches.length];
    try {
      assert.equal((await fetch(`${served.url}/v1/groupings`)).status, 200);
      assert.equal(seen.responses, count + 1);
      assert.equal(seen.mismatches.length, before + 1, 'the wrong body is a mismatch');
      assert.match(seen.mismatches.at(-1)!.why, /does not match/);
      assert.match(seen.mismatches.at(-1)!.test, /serve\(\) records every response/);
    } finally {
      // this test's own mismatch is expected: it must not fail the run
      seen.mismatches.splice(before);
      await served.close();
    }
  });
});
