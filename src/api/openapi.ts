// The OpenAPI 3.1 document, generated from the same zod schemas the routes
// validate with; each route module registers its paths here.
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Scope } from '../domain/access';

extendZodWithOpenApi(z);

export { z };

export function createRegistry(): OpenAPIRegistry {
  return new OpenAPIRegistry();
}

export function buildDocument(registry: OpenAPIRegistry, version: string): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'endpoint-inventory',
      version,
      description: 'Telephone endpoint inventory: search, allocation and lifecycle of numbers, short codes and SIP addresses.',
    },
  });
}

/** A JSON body or response of this schema, for registerPath. */
export const jsonContent = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/** The error response every route shares. */
export const errorResponse = {
  description: 'error: `{error: {code, message, issues?}}`',
  ...jsonContent(
    z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ field: z.string(), reason: z.string() })).optional() }) }),
  ),
};

/**
 * A route that needs an API key of one of these scopes: the document says so
 * (security + `x-scopes`), and test/api/contract.test.ts holds every route to it.
 */
export const secured = (...scopes: Scope[]) => ({
  security: [{ apiKey: [] }],
  'x-scopes': scopes.map((s) => s.toLowerCase()),
});
