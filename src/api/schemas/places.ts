// What a carrier says of each delivered number's place (NANP rate center and
// LATA), where it knows: the webhook and the operator's delivery entry take it
// in one shape.
import { z } from '../openapi';

export const deliveredPlaces = (max: number) =>
  z
    .array(
      z.object({
        number: z.string().min(1).max(100),
        rateCenter: z.string().min(1).max(50).optional(),
        lata: z
          .string()
          .regex(/^\d{3,5}$/, '3-5 digits')
          .optional(),
      }),
    )
    .max(max)
    .optional();
