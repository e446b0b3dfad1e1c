// One contract for unknown fields, everywhere: a request's objects are closed (`additionalProperties:
// false`), so the OpenAPI document says exactly what a request may carry, and a field a route does not
// declare is stripped before the route sees it (Ajv's removeAdditional) — it can never reach a service.
import type { FastifyInstance } from 'fastify';

type Schema = Record<string, unknown>;

/** Closes every object schema that does not say otherwise, deeply. */
export function closeObjects(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const item of schema) closeObjects(item);
    return;
  }
  const node = schema as Schema;
  if (
    node.type === 'object' &&
    node.properties &&
    node.additionalProperties === undefined &&
    !node.patternProperties
  ) {
    node.additionalProperties = false;
  }
  for (const key of ['properties', 'items', 'anyOf', 'oneOf', 'allOf', 'not']) {
    const inner = node[key];
    if (key === 'properties' && inner && typeof inner === 'object') {
      for (const property of Object.values(inner as Schema)) closeObjects(property);
    } else {
      closeObjects(inner);
    }
  }
}

export function registerStrictSchemas(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Schema | undefined;
    if (!schema) return;
    for (const part of ['body', 'querystring', 'params'] as const) closeObjects(schema[part]);
  });
}
