import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../domain/errors.ts'

/**
 * The error body every client reads: the Node SDK reads `error.code`/`error.message`, the Go SDK and
 * the gateway style use `error_code`/`error_msg` (digest §3.1). Both carry the same values.
 */
export function errorBody(code: string, message: string, requestId: string) {
  return { error_code: code, error_msg: message, error: { code, message }, request_id: requestId }
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError, headers: Record<string, string> = {}) {
  return reply
    .code(error.status)
    .headers({ 'x-request-id': request.id, ...headers })
    .type('application/json')
    .send(errorBody(error.code, error.message, request.id))
}
