import Type, { type TSchema } from 'typebox'
import { ERROR_KEY } from '../../http/validation.ts'
import type { Page } from '../../model/resources.ts'

/** A string enum that validates as JSON Schema `enum` and types as the union of its values. */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

/** Attaches the catalog code a violation of this field answers with. */
export function coded<S extends TSchema>(schema: S, code: string): S {
  // TypeBox keeps its type marker in a non-enumerable property: copy descriptors, not just values.
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(schema)) as S
  return Object.assign(copy, { [ERROR_KEY]: code })
}

export const Id = Type.String({ minLength: 1, maxLength: 64 })
export const UuidString = Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' })
export const WireTime = Type.String({ description: 'UTC, YYYY-MM-DDTHH:MM:SSZ' })
/** Free text; `<` and `>` are refused by the cloud (digest §1.7). Lengths are our choice (docs/decisions.md). */
export function Description(maxLength = 512) {
  return Type.String({ maxLength, pattern: '^[^<>]*$' })
}

export const ProjectParams = Type.Object({ project_id: Id })

export const TagSchema = Type.Object(
  { key: Type.String({ maxLength: 1024 }), value: Type.Optional(Type.String({ maxLength: 1024 })) },
)
export const TagOut = Type.Object({ key: Type.String(), value: Type.String() })

/** Paging and sorting shared by every list (digest §4.0). */
export function PageQuery(maxLimit = 1000) {
  return {
    limit: Type.Optional(coded(Type.Integer({ minimum: 1, maximum: maxLimit, default: 10 }), 'EndPoint.0006')),
    offset: Type.Optional(coded(Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 }), 'EndPoint.0010')),
    sort_key: Type.Optional(StringEnum(['create_at', 'update_at'], { [ERROR_KEY]: 'EndPoint.0017', default: 'create_at' })),
    sort_dir: Type.Optional(StringEnum(['asc', 'desc'], { [ERROR_KEY]: 'EndPoint.0018', default: 'desc' })),
  }
}

export function toPage(query: { limit?: number; offset?: number; sort_key?: Page['sortKey']; sort_dir?: Page['sortDir'] }): Page {
  return { limit: query.limit ?? 10, offset: query.offset ?? 0, sortKey: query.sort_key ?? 'create_at', sortDir: query.sort_dir ?? 'desc' }
}

export const ErrorResponse = Type.Object(
  {
    error_code: Type.String(),
    error_msg: Type.String(),
    error: Type.Object({ code: Type.String(), message: Type.String() }),
    request_id: Type.String(),
  },
  { description: 'Every error: both the gateway style and the VPCEP style, with identical values.' },
)

/** Error responses every authenticated operation can answer. */
export const COMMON_ERRORS = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
