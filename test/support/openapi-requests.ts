/**
 * Requests made from the API's own description: every operation in /openapi.json, its
 * path filled in, and a body and query generated from the operation's JSON Schema by
 * json-schema-faker — minimal (required members only) for the authorisation matrix,
 * fuller and then mutated for the hostile-input suite.
 */
import { generateSync, type JsonSchema } from 'json-schema-faker';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  method: string;
  /** The OpenAPI path, e.g. `/releases/{id}`. */
  path: string;
  parameters: Parameter[];
  /** The first JSON-shaped request body schema, when the operation takes one. */
  bodySchema: JsonSchema | null;
  /** The content type the body is sent as (the first the operation lists). */
  contentType: string | null;
  /** `security: []` in the document: no token asked for. */
  publicInDocument: boolean;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema?: JsonSchema }> };
        security?: unknown[];
      }
    >
  >;
}

export function operationsOf(document: unknown): Operation[] {
  const doc = document as OpenApiDocument;
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => {
      const content = operation.requestBody?.content ?? {};
      const types = Object.keys(content);
      const jsonType = types.find((type) => /json/.test(type)) ?? null;
      return {
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        bodySchema: jsonType ? (content[jsonType]!.schema ?? null) : null,
        contentType: jsonType ?? types[0] ?? null,
        publicInDocument: Array.isArray(operation.security) && operation.security.length === 0,
      };
    }),
  );
}

/** `/releases/{id}` with each parameter replaced (URL-encoded) by `valueFor(name)`. */
export function fillPath(path: string, valueFor: (name: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_whole, name: string) => encodeURIComponent(valueFor(name)));
}

type Settings = Parameters<typeof generateSync>[1];

/**
 * With no optional member a schema such as `minProperties: 1` over optional members has
 * no instance; then every optional member is generated instead.
 */
function generateBody(schema: JsonSchema, settings: Settings): unknown {
  try {
    return generateSync(schema, settings);
  } catch {
    return generateSync(schema, {
      ...settings,
      optionalsProbability: 1,
      alwaysFakeOptionals: true,
    });
  }
}

export interface GeneratedRequest {
  /** Path parameters generated from their schemas (enums, integers…). */
  params: Record<string, string>;
  body: unknown;
  query: Record<string, string>;
}

/**
 * A request shaped by the operation's schemas. `minimal` keeps to what is required (the
 * authorisation matrix wants to get past validation, nothing more); otherwise optional
 * members appear at random.
 */
export function generateRequest(
  operation: Operation,
  options: { seed: number; minimal: boolean },
): GeneratedRequest {
  const settings = {
    seed: options.seed,
    maxDepth: 4,
    maxDefaultItems: 2,
    // Arrays as long as a schema allows (thousands of items) would only test the body limit.
    maxItems: 5,
    optionalsProbability: options.minimal ? 0 : 0.5,
    useDefaultValue: true,
    useExamplesValue: true,
    failOnInvalidTypes: false,
    minDateTime: '2026-01-01',
    maxDateTime: '2026-12-31',
  };
  const body = operation.bodySchema ? generateBody(operation.bodySchema, settings) : undefined;
  const params: Record<string, string> = {};
  const query: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    if (parameter.in === 'path' && parameter.schema)
      params[parameter.name] = String(generateSync(parameter.schema, settings));
    if (parameter.in !== 'query' || !parameter.schema) continue;
    if (options.minimal && !parameter.required) continue;
    if (options.minimal && (parameter.schema as { default?: unknown }).default !== undefined)
      continue;
    query[parameter.name] = String(generateSync(parameter.schema, settings));
  }
  return { params, body, query };
}
