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

function describe(error: TypeBoxError, where: string): { field: string; text: string } {
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
  const field = fieldName(error.instancePath) || '(body)'
  return { field, text: `${where} ${field} ${error.message}.` }
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

function toApiError(schema: TSchema, errors: TypeBoxError[], httpPart: string): ApiError {
  const error = primaryError(errors)
  const { text } = describe(error, PLACE[httpPart] ?? 'Field')
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
    return { error: toApiError(schema, check.Errors(candidate) as TypeBoxError[], httpPart ?? 'body') }
  }
}
