import type { FastifyInstance } from 'fastify'
import { ApiError } from '../domain/errors.ts'
import { jsonSyntaxError } from './json-syntax.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes exactly as received: the AK/SK signature covers them, never a re-serialisation. */
    rawBody?: Buffer
    /** Why the body could not be used; raised after authentication, so 401 wins over 400. */
    bodyError?: ApiError
  }
}

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i

/** Deepest nesting of arrays and objects a body may have; every API body needs fewer than 10 levels. */
export const MAX_JSON_DEPTH = 64

export interface JsonScan {
  /** Set when the text nests deeper than MAX_JSON_DEPTH; the scan stops there. */
  tooDeep: boolean
  /** The first key that repeats within one object (decoded), if any. */
  duplicateKey?: string
  /** The first string content that cannot be stored as text: `\u0000`, or an unpaired surrogate escape. */
  badEscape?: string
}

const QUOTE = 0x22
const BACKSLASH = 0x5c

function hexAt(text: string, at: number): number {
  const hex = text.slice(at, at + 4)
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : -1
}

/**
 * One linear pass over JSON text, without recursion: nesting depth, the keys of every open object (to
 * find a repeated one, which JSON.parse would silently resolve to the last), and escapes naming
 * characters no database column can hold. Tolerant of malformed text: JSON.parse judges syntax.
 */
export function scanJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonScan {
  const result: JsonScan = { tooDeep: false }
  // One entry per open container: the keys seen so far for objects, null for arrays.
  const stack: Array<Set<string> | null> = []
  let expectKey = false
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      const start = i + 1
      let escaped = false
      i = start
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d === QUOTE) break
        if (d === BACKSLASH) {
          escaped = true
          if (text.charCodeAt(i + 1) === 0x75 /* u */ && result.badEscape === undefined) {
            const code = hexAt(text, i + 2)
            if (code === 0) result.badEscape = '\\u0000'
            else if (code >= 0xd800 && code <= 0xdbff) {
              const low = text.charCodeAt(i + 6) === BACKSLASH && text.charCodeAt(i + 7) === 0x75 ? hexAt(text, i + 8) : -1
              if (low < 0xdc00 || low > 0xdfff) result.badEscape = `\\u${text.slice(i + 2, i + 6)}`
              else i += 6
            } else if (code >= 0xdc00 && code <= 0xdfff) result.badEscape = `\\u${text.slice(i + 2, i + 6)}`
          }
          i += 2
          continue
        }
        i++
      }
      const top = stack[stack.length - 1]
      if (expectKey && top) {
        const raw = text.slice(start, i)
        let key: string | undefined = raw
        if (escaped) {
          try {
            key = JSON.parse(`"${raw}"`) as string
          } catch {
            key = undefined // malformed; JSON.parse of the whole body will say so
          }
        }
        if (key !== undefined) {
          if (top.has(key)) result.duplicateKey ??= key
          else top.add(key)
        }
        expectKey = false
      }
      i++
      continue
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxDepth) {
        result.tooDeep = true
        return result
      }
      stack.push(c === 0x7b ? new Set() : null)
      expectKey = c === 0x7b
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop()
      expectKey = false
    } else if (c === 0x2c /* , */) {
      expectKey = stack.length > 0 && stack[stack.length - 1] !== null
    }
    i++
  }
  return result
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Reads a JSON body, or answers why it cannot be used. */
export function parseJsonBody(raw: Buffer): { value: unknown } | { error: ApiError } {
  let text: string
  try {
    text = UTF8.decode(raw)
  } catch {
    return { error: new ApiError('parameterError', 'The request body is not valid UTF-8.') }
  }
  const scan = scanJson(text)
  if (scan.tooDeep) return { error: new ApiError('parameterError', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`) }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const where = jsonSyntaxError(text)
    const detail = where ? `line ${where.line}, column ${where.column}: ${where.problem}` : (error as Error).message
    return { error: new ApiError('parameterError', `The request body is not valid JSON: ${detail}.`) }
  }
  if (scan.duplicateKey !== undefined) {
    return { error: new ApiError('parameterError', `Duplicate key ${JSON.stringify(scan.duplicateKey.slice(0, 64))} in the JSON body.`) }
  }
  if (scan.badEscape !== undefined) {
    return { error: new ApiError('parameterError', `The request body contains the escape ${scan.badEscape}, which is not a storable character.`) }
  }
  return { value }
}

/** One parser for every content type: keep the raw bytes, parse JSON, defer any complaint. */
export function registerBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer
    request.rawBody = raw
    if (raw.length === 0) return done(null, undefined)
    const type = request.headers['content-type'] ?? ''
    if (!JSON_TYPE.test(type)) {
      request.bodyError = new ApiError('parameterError', `Content-Type must be application/json, got "${type.slice(0, 64) || 'none'}".`)
      return done(null, undefined)
    }
    const parsed = parseJsonBody(raw)
    if ('error' in parsed) {
      request.bodyError = parsed.error
      return done(null, undefined)
    }
    return done(null, parsed.value)
  })
}
