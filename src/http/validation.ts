import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'
import { ApiError, ERRORS, type ErrorName } from '../domain/errors.ts'

/** Schema annotation naming the catalog error a field's violation maps to (default: EndPoint.0002). */
export const ERROR_KEY = 'x-vpcep-error'

const NAME_BY_CODE = new Map<string, ErrorName>(
  (Object.entries(ERRORS) as Array<[ErrorName, { code: string }]>).map(([name, e]) => [e.code, name] as const).reverse(),
)

interface TypeBoxError {
  keyword: string
  schemaPath: string
  instancePath: string
  params: Record<string, unknown>
  message: string
}

const PLACE: Record<string, string> = { body: 'Body field', querystring: 'Query parameter', params: 'Path parameter', headers: 'Header' }

function resolvePointer(schema: unknown, pointer: string): Record<string, unknown> | undefined {
  let node: unknown = schema
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined
}

/** `/ports/0/client_port` → `ports[0].client_port` */
function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '')
}

/** The words for a `pattern` the API's schemas use; a new pattern without words reads as "is not in the accepted form". */
export const PATTERN_WORDS: Record<string, string> = {
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$': 'must be a UUID, such as 4189d3c2-8882-4871-a3c2-d380272eed88',
  '^[^<>]*$': 'must not contain < or >',
  '^(\\d{1,3}\\.){3}\\d{1,3}(/\\d{1,2})?$': 'must be an IPv4 address or CIDR block, such as 192.168.0.10 or 192.168.0.0/24',
  '^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$': 'must be an IPv4 address, such as 192.168.0.10',
  '^[A-Za-z0-9_-]*$': 'may contain only letters, digits, _ and -',
  '^[A-Za-z0-9.:-]+$': 'must be an IP address or a host name (letters, digits, ".", ":" and "-")',
  '^[0-9]+$': 'must be a whole number written in digits',
}

const FORMAT_WORDS: Record<string, string> = {
  uuid: 'must be a UUID',
  ipv4: 'must be an IPv4 address, such as 192.168.0.10',
  ipv6: 'must be an IPv6 address, such as fd00::10',
  'date-time': 'must be a date and time such as 2026-01-31T12:00:00Z',
  uri: 'must be a URL',
  email: 'must be an e-mail address',
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list ([…])',
  null: 'null',
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number with a fraction'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return 'an object'
}

function valueAt(root: unknown, instancePath: string): unknown {
  let node = root
  for (const part of instancePath.split('/').filter(Boolean)) node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  return node
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** What the value must be, in plain words: "must be a UUID", "must be from 1 to 65535". */
function rule(error: TypeBoxError, node: Record<string, unknown> | undefined, given: unknown): string {
  const p = error.params
  const limit = Number(p.limit)
  switch (error.keyword) {
    case 'pattern':
      return PATTERN_WORDS[String(p.pattern)] ?? 'is not in the accepted form'
    case 'format':
      return FORMAT_WORDS[String(p.format)] ?? `must be a valid ${String(p.format)}`
    case 'enum': {
      const values = (p.allowedValues as unknown[] | undefined) ?? (node?.enum as unknown[] | undefined) ?? []
      return values.length === 1 ? `must be ${String(values[0])}` : `must be one of ${values.map(String).join(', ')}`
    }
    case 'const':
      return `must be ${JSON.stringify(node?.const ?? p.allowedValue)}`
    case 'type': {
      const wanted = [p.type].flat().map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ')
      return `must be ${wanted}, not ${kindOf(given)}`
    }
    case 'minimum':
    case 'maximum': {
      const min = node?.minimum
      const max = node?.maximum
      const whole = node?.type === 'integer' ? 'a whole number ' : ''
      if (typeof min === 'number' && typeof max === 'number') return `must be ${whole}from ${min} to ${max}`
      return error.keyword === 'minimum' ? `must be at least ${limit}` : `must be at most ${limit}`
    }
    case 'exclusiveMinimum':
      return `must be greater than ${limit}`
    case 'exclusiveMaximum':
      return `must be less than ${limit}`
    case 'multipleOf':
      return `must be a multiple of ${String(p.multipleOf ?? node?.multipleOf)}`
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${plural(limit, 'character')} long`
    case 'maxLength':
      return `must be at most ${plural(limit, 'character')} long`
    case 'minItems':
      return limit === 1 ? 'must list at least one item' : `must list at least ${plural(limit, 'item')}`
    case 'maxItems':
      return `must list at most ${plural(limit, 'item')}`
    case 'uniqueItems':
      return 'must not list the same item twice'
    case 'minProperties':
      return `must have at least ${plural(limit, 'field')}`
    case 'maxProperties':
      return `must have at most ${plural(limit, 'field')}`
    case 'anyOf':
    case 'oneOf':
      return 'is not one of the accepted forms'
    default:
      return error.message
  }
}

function describe(error: TypeBoxError, where: string, schema: unknown, value: unknown): { field: string; text: string } {
  const params = error.params
  if (error.keyword === 'required') {
    const missing = (params.requiredProperties as string[] | undefined)?.[0] ?? 'a field'
    const parent = fieldName(error.instancePath)
    return { field: parent ? `${parent}.${missing}` : missing, text: `${where} ${parent ? `${parent}.` : ''}${missing} is required.` }
  }
  if (error.keyword === 'additionalProperties' || (error.keyword === 'boolean' && error.schemaPath.endsWith('additionalProperties'))) {
    const extra = (params.additionalProperties as string[] | undefined)?.[0]
    const field = extra ? [fieldName(error.instancePath), extra].filter(Boolean).join('.') : fieldName(error.instancePath)
    return { field, text: `${where} ${field} is not a known field.` }
  }
  const field = fieldName(error.instancePath)
  const subject = field ? `${where} ${field}` : where === PLACE.body ? 'The request body' : where
  return { field: field || '(body)', text: `${subject} ${rule(error, resolvePointer(schema, error.schemaPath), valueAt(value, error.instancePath))}.` }
}

/** Picks the error a client most needs to see: unknown or missing fields first, then the first field problem. */
function primaryError(errors: TypeBoxError[]): TypeBoxError {
  return (
    errors.find((e) => e.keyword === 'boolean' && e.schemaPath.endsWith('additionalProperties')) ??
    errors.find((e) => e.keyword === 'required') ??
    errors.find((e) => e.keyword !== 'additionalProperties' && e.keyword !== 'anyOf') ??
    errors[0]!
  )
}

function toApiError(schema: TSchema, errors: TypeBoxError[], httpPart: string, value: unknown): ApiError {
  const error = primaryError(errors)
  const { text } = describe(error, PLACE[httpPart] ?? 'Field', schema, value)
  const node = error.keyword === 'required' ? undefined : resolvePointer(schema, error.schemaPath)
  const code = node?.[ERROR_KEY]
  const name = (typeof code === 'string' && NAME_BY_CODE.get(code)) || 'parameterError'
  return new ApiError(name, text)
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/
const TEXT_FORM: Record<string, RegExp> = { integer: /^-?\d+$/, number: /^-?\d+(\.\d+)?$/, boolean: /^(true|false)$/ }

function codeOf(node: unknown): ErrorName {
  const code = (node as Record<string, unknown> | undefined)?.[ERROR_KEY]
  return (typeof code === 'string' && NAME_BY_CODE.get(code)) || 'parameterError'
}

/**
 * Query and path text the schema alone would let through: control characters (no id or name has one,
 * and PostgreSQL cannot even compare a NUL), and numbers or booleans in forms that Value.Convert
 * accepts loosely (`true` as 1, `0x10`, `1e3`, `""` as 0, padded with spaces).
 */
function textProblem(schema: TSchema, value: unknown, where: string): ApiError | undefined {
  if (!value || typeof value !== 'object') return undefined
  const properties = ((schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {})
  for (const [name, given] of Object.entries(value as Record<string, unknown>)) {
    for (const text of [given].flat()) {
      if (typeof text !== 'string') continue
      if (CONTROL_CHARACTER.test(text) || CONTROL_CHARACTER.test(name)) {
        return new ApiError(codeOf(properties[name]), `${where} ${name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 64)} contains a control character.`)
      }
      const type = properties[name]?.type
      const form = typeof type === 'string' ? TEXT_FORM[type] : undefined
      if (form && !form.test(text)) return new ApiError(codeOf(properties[name]), `${where} ${name} must be ${type === 'boolean' ? 'true or false' : type === 'integer' ? 'an integer written in digits' : 'a number written in digits'}.`)
    }
  }
  return undefined
}

/**
 * Validates with TypeBox. Query and path values arrive as text and are converted to the schema's
 * types first; JSON bodies are checked as sent, so `"true"` is not a boolean and `"5"` not a number.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema)
  return (value: unknown) => {
    if (httpPart !== 'body') {
      const problem = textProblem(schema, value, PLACE[httpPart ?? ''] ?? 'Parameter')
      if (problem) return { error: problem }
      // Text that already has the schema's types (path parameters, most queries) has nothing to convert.
      if (check.Check(value)) return { value }
    }
    const candidate = httpPart === 'body' ? value : Value.Convert(schema, value)
    if (check.Check(candidate)) return { value: candidate }
    return { error: toApiError(schema, check.Errors(candidate) as TypeBoxError[], httpPart ?? 'body', candidate) }
  }
}
