import http from 'node:http'
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { ApiError } from '../domain/errors.ts'
import { errorBody } from './envelope.ts'

function refusal(perAddress: number): string {
  const error = new ApiError('throttled', `This address already holds ${perAddress} open connections, the most the server allows; close some and retry.`, 429)
  const requestId = randomBytes(16).toString('hex')
  const body = JSON.stringify(errorBody(error.code, error.message, requestId))
  return (
    `HTTP/1.1 429 ${http.STATUS_CODES[429]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Retry-After: 1\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`
  )
}

/**
 * Caps the connections one source address may hold open, so a client that opens sockets and never
 * finishes a request cannot use up the process's file descriptors and lock every other client out.
 * A connection over the cap is answered 429 and closed before any of its bytes are read.
 */
export function registerConnectionBudget(server: Server, perAddress: number, log: FastifyBaseLogger): void {
  if (perAddress <= 0) return
  const open = new Map<string, number>()
  // Before Node's own listener: a refused socket never gets an HTTP parser.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown'
    const held = open.get(address) ?? 0
    if (held >= perAddress) {
      log.debug({ address, held }, 'connection refused: too many open connections from this address')
      socket.on('error', () => {})
      socket.end(refusal(perAddress))
      socket.destroySoon()
      return
    }
    open.set(address, held + 1)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left <= 0) open.delete(address)
      else open.set(address, left)
    })
  })
}
