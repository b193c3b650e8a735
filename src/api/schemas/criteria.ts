// The criteria an allocation or an exchange may give, as the API takes them
// (the rule that turns them into tags is src/domain/criteria.ts).
import { z } from '../openapi';
import { areaCode, countryCode, nxx } from '../input';
import type { Criteria } from '../../domain/criteria';

export const CriteriaSchema = z
  .object({
    country: countryCode.optional().openapi({ description: 'ISO 3166 alpha-2, any case' }),
    npa: areaCode.optional().openapi({ description: 'the area code (NANP NPA, or the national destination code elsewhere)' }),
    nxx: nxx.optional().openapi({ description: 'the exchange: the 3 digits after the npa (`555` of +1 415 555 0100); needs npa' }),
    kind: z
      .enum(['mobile', 'fixed_line', 'fixed_line_or_mobile', 'toll_free', 'short_code', 'sip'])
      .optional()
      .openapi({ description: 'the kind of endpoint, lower snake case (the same names search takes)' }),
    capabilities: z
      .array(z.enum(['voice', 'sms', 'mms', 'fax']))
      .max(4)
      .optional()
      .openapi({ description: 'capability names, each of which must be enabled' }),
    region: z
      .string()
      .regex(/^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$/, 'an ISO 3166-2 code, e.g. us-ca')
      .optional()
      .openapi({ description: 'the region (ISO 3166-2, e.g. `us-ca`) the number is placed in' }),
    locality: z.string().min(1).max(100).optional().openapi({ description: 'the town the number is placed in, e.g. `San Francisco`' }),
    timeZone: z
      .string()
      .regex(/^[A-Za-z]+\/[A-Za-z0-9_+\-/]+$/, 'an IANA time zone, e.g. America/Los_Angeles')
      .max(60)
      .optional()
      .openapi({ description: "the IANA time zone of the number's place" }),
    tags: z.array(z.string().max(100)).max(8).optional().openapi({ description: 'classifier tags `dimension:value`, all required' }),
  })
  .strict()
  .openapi('Criteria') satisfies z.ZodType<Criteria>;
