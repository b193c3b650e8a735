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
    tags: z.array(z.string().max(100)).max(8).optional(),
  })
  .strict()
  .openapi('Criteria') satisfies z.ZodType<Criteria>;
