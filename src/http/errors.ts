import http from 'node:http'
import type { Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import type { FastifyError, FastifyInstance } from 'fastify'
import { ApiError } from '../domain/errors.ts'
import { errorBody, sendError } from './envelope.ts'

/** Driver error codes that mean "the database is not reachable", not "the request is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN'])

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  const message = (error as { message?: unknown }).message
  return (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR'))) ||
    (typeof message === 'string' && /timeout exceeded when trying to connect|Connection terminated|Query read timeout/i.test(message))
}

/** Maps every failure to the one envelope; nothing escapes as an unhandled 500 without a code. */
export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error
  const fastifyError = error as FastifyError
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('parameterError', 'The request body is larger than 1 MiB.', 413)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('parameterError', fastifyError.message)
  }
  if (isDatabaseUnavailable(error)) return new ApiError('databaseUnavailable', 'The database is not reachable; retry shortly.')
  const status = fastifyError.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) return new ApiError('parameterError', fastifyError.message)
  return new ApiError('systemError')
}

const METHODS: HTTPMethod[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']

export function registerErrorHandling(app: FastifyInstance): void {
  // A shadow of the route table tells "no such path" (404) from "path exists, other method" (405).
  const shadow = FindMyWay()
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const m = method as HTTPMethod
      if (METHODS.includes(m) && !shadow.hasRoute(m, route.url)) shadow.on(m, route.url, () => {})
    }
  })

  app.setErrorHandler((error, request, reply) => {
    // The client went away mid-request: nobody is left to answer, and nothing is wrong with the server.
    if (request.raw.socket?.destroyed) {
      request.log.debug({ reason: (error as Error).message }, 'client closed the connection before the request was complete')
      return reply.hijack()
    }
    const apiError = toApiError(error as Error)
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed')
    else if (apiError.status === 401) request.log.warn({ reason: apiError.detail }, 'authentication failed')
    const retryAfter = (error as { retryAfter?: number }).retryAfter
    return sendError(request, reply, apiError, retryAfter ? { 'retry-after': String(retryAfter) } : {})
  })

  app.setNotFoundHandler((request, reply) => {
    const path = (request.raw.url ?? '/').split('?')[0]!
    const allowed = METHODS.filter((method) => method !== request.method && shadow.find(method, path))
    if (allowed.length > 0) {
      const error = new ApiError('parameterError', `Method ${request.method} is not allowed here; use ${allowed.join(', ')}.`, 405)
      return sendError(request, reply, error, { allow: allowed.join(', ') })
    }
    return sendError(request, reply, new ApiError('resourceNotFound', `No API at ${request.method} ${path.slice(0, 200)}.`))
  })
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (request line and headers over 16 KiB,
 * malformed HTTP, a client too slow to send its headers) still get the one error envelope.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request line and headers are larger than the server accepts (16 KiB).']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request was not received in time.']
        : [400, 'The request is not valid HTTP/1.1.']
  const apiError = new ApiError('parameterError', detail, status)
  const requestId = randomBytes(16).toString('hex')
  const body = JSON.stringify(errorBody(apiError.code, apiError.message, requestId))
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}
