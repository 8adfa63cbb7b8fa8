import type { FastifyInstance } from 'fastify'
import { ApiError } from '../domain/errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes exactly as received: the AK/SK signature covers them, never a re-serialisation. */
    rawBody?: Buffer
    /** Why the body could not be used; raised after authentication, so 401 wins over 400. */
    bodyError?: ApiError
  }
}

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i

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
    try {
      return done(null, JSON.parse(raw.toString('utf8')))
    } catch (error) {
      request.bodyError = new ApiError('parameterError', `The request body is not valid JSON: ${(error as Error).message}`)
      return done(null, undefined)
    }
  })
}
