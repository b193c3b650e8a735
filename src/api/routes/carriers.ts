// Carriers' signed delivery webhooks (src/usecases/carrier-delivery.ts):
// authenticated by their signatures over the raw body, not by API keys.
import { Router, type Request } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, z } from '../openapi';
import { Unauthorized } from '../middleware/auth';
import { carrierDelivery, type CarrierDeliveryDeps } from '../../usecases/carrier-delivery';
import { deliveredPlaces } from '../schemas/places';
import { carrierTestArrival } from '../../usecases/test-arrival';
import { carrierRegistrationChange } from '../../usecases/carrier-registration';
import { TEST_MEDIA } from '../../domain/harness';

const Webhook = z
  .object({
    carrierOrderId: z.string().min(1).max(200),
    idempotencyKey: z.string().min(1).max(300),
    lines: z.array(z.object({ lineId: z.string().min(1).max(100), numbers: z.array(z.string().min(1).max(100)).max(10_000) })).max(1000),
    // what the carrier says of each number's place (NANP rate center and LATA), where it knows
    places: deliveredPlaces(100_000),
    final: z.boolean(),
    sentAt: z.string().max(100).optional(),
  })
  .openapi('CarrierWebhook');
const TestArrivalBody = z
  .object({
    medium: z.enum(TEST_MEDIA),
    direction: z.enum(['inbound', 'outbound']),
    to: z.string().min(1).max(100).openapi({ description: 'the number it was delivered to (inbound), or the carrier test line (outbound)' }),
    from: z
      .string()
      .min(1)
      .max(100)
      .openapi({ description: 'the caller or sender: the test line (inbound), or the number under test as the carrier saw it (outbound)' }),
    payload: z.string().min(1).max(2000).openapi({ description: 'what the call or message carried: `ei-test <nonce>` for a capability test' }),
    audio: z.enum(['two_way', 'one_way']).optional().openapi({ description: 'voice: whether audio went both ways' }),
    sentAt: z.string().max(100).optional(),
  })
  .openapi('CarrierTestArrival');
const RegistrationBody = z
  .object({
    numbers: z.array(z.string().min(1).max(100)).min(1).max(1000),
    change: z.string().min(1).max(500).openapi({ description: "what changed, in the carrier's words" }),
    sentAt: z.string().max(100).optional(),
  })
  .openapi('CarrierRegistrationChange');
const ProviderParam = z.object({ providerId: z.string().min(1).max(100).openapi({ description: "the carrier's provider id" }) });
const SignatureHeaders = z.object({
  'x-carrier-timestamp': z.string().openapi({ description: 'Unix seconds when it was signed (within WEBHOOK_TOLERANCE of now)' }),
  'x-carrier-signature': z.string().openapi({ description: '`sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`' }),
});

export function carrierRoutes(deps: CarrierDeliveryDeps, registry: OpenAPIRegistry): Router {
  const router = Router();
  registry.registerPath({
    method: 'post',
    path: '/v1/carriers/{providerId}/webhook',
    operationId: 'receiveCarrierWebhook',
    tags: ['carriers'],
    summary: "A carrier's signed delivery (HMAC-SHA256 over timestamp.body)",
    request: { params: ProviderParam, headers: SignatureHeaders, body: body(Webhook) },
    responses: {
      202: {
        description: 'taken (or already taken: duplicate; late: the order had closed, its numbers are recorded RETURNED and handed back)',
        ...json(z.object({ status: z.enum(['accepted', 'duplicate', 'late']) })),
      },
      400: error,
      401: { ...error, description: 'missing, malformed, forged or stale signature (`unauthorized`)' },
      404: { ...error, description: 'no such carrier with a webhook secret, or no order of it with that key (`not_found`)' },
      503: { ...error, description: 'Temporal unavailable: nothing was taken, send it again (`unavailable`)' },
    },
  });
  router.post('/v1/carriers/:providerId/webhook', async (req, res) => {
    const { providerId } = ProviderParam.parse(req.params);
    // app.ts keeps the raw bytes: the signature is over them, not over re-serialised JSON
    const rawBody = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const answer = await carrierDelivery(deps, { providerId, headers: req.headers, rawBody, body: () => Webhook.parse(req.body) });
    if (answer.status === 'refused') throw new Unauthorized(`webhook refused: ${answer.reason}`);
    res.status(202).json({ status: answer.status });
  });

  registry.registerPath({
    method: 'post',
    path: '/v1/carriers/{providerId}/inbound',
    operationId: 'receiveTestArrival',
    tags: ['carriers'],
    summary: "A capability test's call or message arriving from the carrier network (signed like the carrier's webhooks)",
    request: { params: ProviderParam, headers: SignatureHeaders, body: body(TestArrivalBody) },
    responses: {
      202: {
        description:
          'taken: accepted (handed to the waiting test), late (after the test stopped waiting: recorded only), duplicate (arrived before), not_a_test (no known test nonce in the payload)',
        ...json(z.object({ status: z.enum(['accepted', 'late', 'duplicate', 'not_a_test']) })),
      },
      400: error,
      401: { ...error, description: 'missing, malformed, forged or stale signature (`unauthorized`)' },
      404: { ...error, description: 'no such carrier with a webhook secret (`not_found`)' },
      503: { ...error, description: 'Temporal unavailable: nothing was taken, send it again (`unavailable`)' },
    },
  });
  router.post('/v1/carriers/:providerId/inbound', async (req, res) => {
    const { providerId } = ProviderParam.parse(req.params);
    const rawBody = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const answer = await carrierTestArrival(deps, { providerId, headers: req.headers, rawBody, body: () => TestArrivalBody.parse(req.body) });
    if (answer.status === 'refused') throw new Unauthorized(`test arrival refused: ${answer.reason}`);
    res.status(202).json({ status: answer.status });
  });

  registry.registerPath({
    method: 'post',
    path: '/v1/carriers/{providerId}/registrations',
    operationId: 'receiveRegistrationChange',
    tags: ['carriers'],
    summary: "A carrier's signed report that numbers' registrations changed: each of its numbers in service is re-tested for real",
    request: { params: ProviderParam, headers: SignatureHeaders, body: body(RegistrationBody) },
    responses: {
      202: {
        description: 'taken: how many of its numbers are being re-tested (those in service; others ignore it), and the numbers that are not its endpoints here',
        ...json(z.object({ status: z.literal('accepted'), retesting: z.number().int(), notOurs: z.array(z.string()) })),
      },
      400: error,
      401: { ...error, description: 'missing, malformed, forged or stale signature (`unauthorized`)' },
      404: { ...error, description: 'no such carrier with a webhook secret (`not_found`)' },
      503: { ...error, description: 'Temporal unavailable: send it again (`unavailable`)' },
    },
  });
  router.post('/v1/carriers/:providerId/registrations', async (req, res) => {
    const { providerId } = ProviderParam.parse(req.params);
    const rawBody = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const answer = await carrierRegistrationChange(deps, { providerId, headers: req.headers, rawBody, body: () => RegistrationBody.parse(req.body) });
    if (answer.status === 'refused') throw new Unauthorized(`registration change refused: ${answer.reason}`);
    res.status(202).json(answer);
  });
  return router;
}
