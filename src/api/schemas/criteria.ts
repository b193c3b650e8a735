// The criteria an allocation or an exchange may give, as the API takes them
// (the rule that turns them into tags is src/domain/criteria.ts).
import { z } from '../openapi';
import { areaCode, countryCode } from '../input';
import type { Criteria } from '../../domain/criteria';

export const CriteriaSchema = z
  .object({
    country: countryCode.optional(),
    npa: areaCode.optional(),
    nxx: z
      .string()
      .regex(/^\d{6}$/, 'npa + nxx, 6 digits')
      .optional(),
    kind: z.enum(['mobile', 'fixed_line', 'fixed_line_or_mobile', 'toll_free', 'short_code', 'sip']).optional(),
    capabilities: z
      .array(z.enum(['voice', 'sms', 'mms', 'fax']))
      .max(4)
      .optional(),
    region: z
      .string()
      .regex(/^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$/, 'an ISO 3166-2 code, e.g. us-ca')
      .optional(),
    locality: z.string().min(1).max(100).optional(),
    timeZone: z
      .string()
      .regex(/^[A-Za-z]+\/[A-Za-z0-9_+\-/]+$/, 'an IANA time zone, e.g. America/Los_Angeles')
      .max(60)
      .optional(),
    tags: z.array(z.string().max(100)).max(8).optional(),
  })
  .strict()
  .openapi('Criteria') satisfies z.ZodType<Criteria>;
