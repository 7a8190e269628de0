// Shared TypeBox pieces: nullable scalars, the list query and the list answer. Route files build
// their row schemas from these; a response schema lists every field a client may see.
import { Type, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { MAX_LIMIT, type ListSpec } from './query.ts';

// Nullable scalars as JSON-schema type arrays (cheaper for fast-json-stringify than anyOf).
export const Str = (opts: object = {}) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...opts });
export const Num = (opts: object = {}) => Type.Unsafe<number | null>({ type: ['number', 'null'], ...opts });
export const Int = (opts: object = {}) => Type.Unsafe<number | null>({ type: ['integer', 'null'], ...opts });
export const Bool = (opts: object = {}) => Type.Unsafe<boolean | null>({ type: ['boolean', 'null'], ...opts });
export const StrList = (opts: object = {}) =>
  Type.Unsafe<string[] | null>({ type: ['array', 'null'], items: { type: 'string' }, ...opts });

export const Row = <T extends TProperties>(props: T) => Type.Object(props, { additionalProperties: false });

const Order = Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'sort direction' });

/** Query schema of a list route: sort (whitelist), order, limit, offset and the spec's filters. */
export function listQuerySchema(spec: Pick<ListSpec, 'sorts' | 'filters'>, extra: TProperties = {}): TObject {
  const props: TProperties = {
    sort: Type.Optional(Type.Union(spec.sorts.map((s) => Type.Literal(s)), { description: 'column to sort by' })),
    order: Type.Optional(Order),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, description: `rows per page (default 100, max ${MAX_LIMIT})` })),
    offset: Type.Optional(Type.Integer({ minimum: 0, description: 'rows to skip' })),
    ...extra,
  };
  for (const [name, def] of Object.entries(spec.filters ?? {})) {
    props[name] = Type.Optional(def.kind === 'int'
      ? Type.Integer({ description: def.description })
      : def.values
        ? Type.Union(def.values.map((v) => Type.Literal(v)), { description: def.description })
        : Type.String({ minLength: 1, maxLength: 200, description: def.description }));
  }
  return Type.Object(props, { additionalProperties: false });
}

/** `{ rows, total, limit, offset, asOf, runId }`. */
export function listResponse(row: TSchema) {
  return Type.Object({
    rows: Type.Array(row),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
    asOf: Str({ description: 'as-of date of the data (YYYY-MM-DD)' }),
    runId: Int({ description: 'the run that produced the data' }),
  });
}

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  statusCode: Type.Integer(),
});

/** Standard error answers to add to a route's response schema. */
export const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** Only an employee-id-looking value: no path or SQL characters matter (values are bound), but keep ids sane. */
export const IdParam = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:\\- ]+$' });
