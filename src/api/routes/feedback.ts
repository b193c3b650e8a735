// Quality feedback on an account's endpoint (src/usecases/feedback.ts).
// Platform keys, for their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { Accepted } from '../schemas/views';
import { principalOf, type Auth } from '../middleware/auth';
import { feedback, type FeedbackDeps } from '../../usecases/feedback';

const Feedback = z
  .object({
    accountId: z.string().min(1).max(64),
    address: z.string().min(1).max(100),
    score: z.number().min(0).max(1),
    source: z.string().min(1).max(100).optional(),
    comment: z.string().max(2000).optional(),
    capabilities: z
      .array(z.enum(['voice', 'sms', 'mms', 'fax']))
      .min(1)
      .max(4)
      .optional()
      .openapi({ description: 'what the feedback is about: a re-test tests their media only (default: all)' }),
  })
  .strict()
  .openapi('QualityFeedback');

export function feedbackRoutes(deps: FeedbackDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/feedback',
    operationId: 'createFeedback',
    tags: ['endpoints'],
    summary:
      "Quality feedback on an account's endpoint (0 useless .. 1 perfect): it moves the quality score, and a score below QUALITY_RETEST_BELOW sends the number back to testing",
    request: { body: body(Feedback) },
    responses: { 202: { description: 'passed to the endpoint', ...json(Accepted) }, 404: { ...error, description: 'not held by that account (`not_found`)' } },
  });
  router.post('/v1/feedback', auth('PLATFORM'), async (req, res) => {
    await feedback(deps, principalOf(req), Feedback.parse(req.body));
    res.status(202).json({ status: 'accepted' });
  });
  return router;
}
