// The OpenAPI drift checker used by openapi-contract.test.ts (kept apart so it can be run against a live document too).
import type { Endpoint } from './endpoints.js';
import type { RESPONSE_FIELDS, ResponseTypeName } from './response-fields.js';

const PREFIX = '/tryon/v1';

export type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Fields {
  properties: Map<string, Json>;
  required: Set<string>;
}

/** Names present in every set (the required fields shared by all alternatives of a response). */
function intersectAll(sets: Set<string>[]): Set<string> {
  const [first, ...rest] = sets;
  const out = new Set(first);
  for (const name of out) if (!rest.every((s) => s.has(name))) out.delete(name);
  return out;
}

function resolve(doc: Json, schema: unknown, seen = new Set<string>()): Json {
  if (!isObj(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    if (seen.has(ref)) return {};
    seen.add(ref);
    let target: unknown = doc;
    for (const part of ref.replace(/^#\//, '').split('/')) target = isObj(target) ? target[part] : undefined;
    return resolve(doc, target, seen);
  }
  return schema;
}

/** Properties and required names of an object schema; allOf merges, anyOf/oneOf unite properties and intersect required. */
function fieldsOfSchema(doc: Json, raw: unknown): Fields {
  const schema = resolve(doc, raw);
  const properties = new Map<string, Json>();
  const required = new Set<string>();
  if (isObj(schema.properties)) {
    for (const [k, v] of Object.entries(schema.properties)) properties.set(k, resolve(doc, v));
  }
  if (Array.isArray(schema.required)) for (const r of schema.required) required.add(String(r));
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) {
      const f = fieldsOfSchema(doc, part);
      for (const [k, v] of f.properties) properties.set(k, v);
      for (const r of f.required) required.add(r);
    }
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = schema[key];
    if (!Array.isArray(alts)) continue;
    const objectAlts = alts.map((a) => fieldsOfSchema(doc, a)).filter((f) => f.properties.size > 0);
    if (objectAlts.length === 0) continue;
    for (const f of objectAlts) for (const [k, v] of f.properties) properties.set(k, v);
    const common = intersectAll(objectAlts.map((f) => f.required));
    for (const r of common) required.add(r);
  }
  return { properties, required };
}

/** The item schema of an array-typed property (or the property itself), for nested field checks. */
function elementSchema(doc: Json, prop: Json): Json {
  const s = resolve(doc, prop);
  if (isObj(s.items)) return resolve(doc, s.items);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = s[key];
    if (Array.isArray(alts)) {
      const nonNull = alts.map((a) => resolve(doc, a)).find((a) => a.type !== 'null');
      if (nonNull) return elementSchema(doc, nonNull);
    }
  }
  return s;
}

const normalisePath = (p: string) => p.replace(/\{[^}]+\}/g, '{}').replace(/:[A-Za-z_]\w*/g, '{}');

function jsonSchemaOf(response: unknown): unknown {
  if (!isObj(response) || !isObj(response.content)) return undefined;
  const json = response.content['application/json'];
  return isObj(json) ? json.schema : undefined;
}

/** Every problem found, as human-readable lines; empty means the SDK and the document agree. */
export function contractProblems(
  doc: Json,
  endpoints: Record<string, Endpoint>,
  responseFields: typeof RESPONSE_FIELDS,
  notWrapped: Record<string, string> = {},
): string[] {
  const problems: string[] = [];
  const paths = isObj(doc.paths) ? doc.paths : {};
  const opsByKey = new Map<string, Json>();
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith(PREFIX) || !isObj(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method) && isObj(op)) {
        opsByKey.set(`${method.toUpperCase()} ${normalisePath(path.slice(PREFIX.length))}`, op);
      }
    }
  }

  // Direction 1: SDK → document. Collect the schemas each response type must match.
  const schemasByType = new Map<ResponseTypeName, unknown[]>();
  const addSchema = (type: ResponseTypeName, schema: unknown) => {
    schemasByType.set(type, [...(schemasByType.get(type) ?? []), schema]);
  };
  const covered = new Set<string>();
  for (const [name, ep] of Object.entries(endpoints)) {
    const key = `${ep.method} ${normalisePath(ep.path)}`;
    covered.add(key);
    const op = opsByKey.get(key);
    if (!op) {
      problems.push(`${name}: ${ep.method} ${PREFIX}${ep.path} is not in the OpenAPI document`);
      continue;
    }
    const responses = isObj(op.responses) ? op.responses : {};
    for (const [status, type] of Object.entries(ep.responses)) {
      const response = responses[status];
      if (response === undefined) {
        problems.push(`${name}: the document has no ${status} response (it has ${Object.keys(responses).join(', ')})`);
        continue;
      }
      const schema = jsonSchemaOf(response);
      if (type === null) {
        if (schema !== undefined)
          problems.push(`${name}: ${status} has a JSON body in the document, the SDK expects none`);
      } else if (schema === undefined) {
        problems.push(`${name}: ${status} has no application/json schema in the document`);
      } else {
        addSchema(type, schema);
      }
    }
    for (const [status, response] of Object.entries(responses)) {
      const code = Number(status);
      if (code >= 200 && code < 300 && !(status in ep.responses)) {
        problems.push(`${name}: the document also declares success status ${status}, unknown to the SDK`);
      }
      const schema = jsonSchemaOf(response);
      if ((code >= 400 || status === 'default' || /^[45]XX$/i.test(status)) && schema !== undefined) {
        addSchema('ErrorBody', schema);
      }
    }
  }

  // Direction 2: document → SDK.
  for (const key of opsByKey.keys()) {
    if (!covered.has(key) && !(key in notWrapped)) problems.push(`${key}: in the OpenAPI document but no SDK method`);
  }

  // Fields, both ways, following nested types (Product.images → ProductImage, ProductList.items → Product, …).
  const queue = [...schemasByType.keys()];
  const done = new Set<ResponseTypeName>();
  while (queue.length > 0) {
    const type = queue.shift()!;
    if (done.has(type)) continue;
    done.add(type);
    const spec = responseFields[type];
    const all = (schemasByType.get(type) ?? []).map((s) => fieldsOfSchema(doc, s));
    if (all.length === 0) continue;
    const docProps = new Map<string, Json>();
    for (const f of all) for (const [k, v] of f.properties) docProps.set(k, v);
    const docRequired = intersectAll(all.map((f) => f.required));
    const sdkAll = new Set([...spec.required, ...spec.optional]);
    for (const k of docProps.keys()) {
      if (!sdkAll.has(k)) problems.push(`${type}.${k}: sent by the server, missing from the SDK type`);
    }
    for (const k of sdkAll) {
      if (!docProps.has(k)) problems.push(`${type}.${k}: in the SDK type, not in the server's schema`);
    }
    for (const k of spec.required) {
      if (docProps.has(k) && !docRequired.has(k)) {
        problems.push(`${type}.${k}: required in the SDK type, optional in the server's schema`);
      }
    }
    for (const k of docRequired) {
      if (sdkAll.has(k) && !spec.required.includes(k)) {
        problems.push(`${type}.${k}: always sent by the server, optional in the SDK type`);
      }
    }
    for (const [field, nestedType] of Object.entries(spec.nested ?? {})) {
      const prop = docProps.get(field);
      if (prop) {
        addSchema(nestedType, elementSchema(doc, prop));
        queue.push(nestedType);
      }
    }
  }
  return problems;
}
