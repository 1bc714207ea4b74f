import { z } from 'zod';
import type { ApiRoute } from './api-route.js';

type JsonSchema = Record<string, unknown>;

/** A route registered by another module, documented by its method and URL alone. */
export interface ForeignRoute {
  readonly method: string;
  readonly url: string;
}

const ErrorSchema = z.object({
  error: z.object({ status: z.number().int(), message: z.string(), field: z.string().optional() }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): JsonSchema[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const STATUS_TEXT = { 200: 'OK', 201: 'Created', 202: 'Accepted' } as const;

function operation(route: ApiRoute): JsonSchema {
  const responses: Record<string, unknown> = {
    [route.status ?? 200]: { description: STATUS_TEXT[route.status ?? 200], content: { [route.responseType ?? 'application/json']: { schema: jsonSchema(route.response, 'output') } } },
    400: errorResponse('Bad input: `error.field` names the field and `error.message` says why'),
    401: errorResponse('Missing or wrong bearer token'),
  };
  if (route.access === 'write') responses[429] = errorResponse('Too many requests');
  return {
    operationId: `${route.method.toLowerCase()}${route.url.replace(/\/api\/v1/, '').replace(/[/:{}-](\w)/g, (_, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
    summary: route.summary,
    tags: [route.tag],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    ...(route.access === 'write' || route.method !== 'GET' ? { security: [{ bearer: [] }] } : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of the API, generated from the same zod schemas that validate
 * each route's input. Routes registered by other modules are listed by method and URL.
 */
export function openapiDocument(routes: readonly ApiRoute[], foreign: readonly ForeignRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const at = (url: string) => (paths[url.replace(/:(\w+)/g, '{$1}')] ??= {});
  for (const route of routes) at(route.url)[route.method.toLowerCase()] = operation(route);
  for (const route of foreign) {
    const item = at(route.url);
    const method = route.method.toLowerCase();
    if (item[method]) continue;
    item[method] = {
      summary: `${route.method} ${route.url}`,
      parameters: [...route.url.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      responses: { 200: { description: 'OK' }, default: errorResponse('Error') },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'perfpilot API', version, description: 'Metrics, analyses, alerts and cache optimizations. Calls that change something need `Authorization: Bearer <token>`.' },
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorSchema, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
