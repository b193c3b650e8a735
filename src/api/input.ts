// Inputs that need more than a schema: an address must parse, no string may
// hold U+0000, no body may nest deep; each failure is a 400 naming the field
// and the reason.
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { BadRequest } from '../domain/errors';

// the rule is the domain's (use cases parse addresses too)
export { addressField } from '../domain/address';

/** Criteria fields the search and allocation routes share. */
export const countryCode = z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166 alpha-2 code');
export const areaCode = z.string().regex(/^\d{2,5}$/, '2-5 digits');
/** the exchange: the 3 digits after the NPA (`555` of +1 415 555 0100), in search and in criteria alike */
export const nxx = z.string().regex(/^\d{3}$/, '3 digits: the exchange after the area code (npa)');

/** deeper than any body the API takes */
const MAX_DEPTH = 32;
const NUL = 'a NUL character (U+0000)';
const refuse = (field: string, reason: string) => new BadRequest(`${field}: ${reason}`, [{ field, reason }]);

/**
 * What no schema can refuse in time: PostgreSQL text cannot hold U+0000, so a
 * string with one anywhere in the body, the query or the path is a 400 naming
 * where it is; and a body nested deeper than any the API takes is a 400 before
 * anything walks it recursively (the Idempotency-Key hash would overflow).
 */
export const inputGuard: RequestHandler = (req, _res, next) => {
  if (req.path.includes('%00')) throw refuse('(path)', NUL);
  for (const [key, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (key.includes('\0') || [value].flat().some((v) => typeof v === 'string' && v.includes('\0'))) throw refuse(key, NUL);
  }
  const todo: [value: unknown, path: string[]][] = [[req.body, []]];
  while (todo.length) {
    const [value, path] = todo.pop()!;
    if (typeof value === 'string' && value.includes('\0')) throw refuse(path.join('.') || '(body)', NUL);
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_DEPTH) throw refuse('(body)', `nested deeper than ${MAX_DEPTH} levels`);
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('\0')) throw refuse([...path, key].join('.'), NUL);
      todo.push([inner, [...path, key]]);
    }
  }
  next();
};
