import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { signedRequest, type SigningKey } from './signed.ts'
import { verifySignature } from '../../src/events/signing.ts'
import type { Reply } from './api-client.ts'

/** One request a receiver got. */
export interface Received {
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  event: any
}

/** What the receiver answers a request with: a status, or `hang` to never answer. */
export type Behaviour = (request: Received, nth: number) => number | 'hang'

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers as `behave` says (200 by
 * default). Hung requests are released (answered 200) by `release()` or `close()`.
 */
export class Receiver {
  readonly received: Received[] = []
  behave: Behaviour = () => 200
  private readonly hung = new Set<http.ServerResponse>()
  private server!: http.Server
  url = ''

  static async start(): Promise<Receiver> {
    const receiver = new Receiver()
    receiver.server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        let event: unknown
        try {
          event = JSON.parse(body)
        } catch {
          event = undefined
        }
        const request = { path: req.url ?? '/', headers: req.headers, body, event }
        receiver.received.push(request)
        const answer = receiver.behave(request, receiver.received.filter((r) => r.path === request.path).length)
        if (answer === 'hang') {
          receiver.hung.add(res)
          res.on('close', () => receiver.hung.delete(res))
          return
        }
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer >= 300 ? `failure ${'x'.repeat(2000)}` : 'ok')
      })
    })
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve))
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`
    return receiver
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path)
  }

  release(): void {
    for (const res of this.hung) res.writeHead(200).end('late')
  }

  async close(): Promise<void> {
    this.release()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** Whether a received request carries a valid signature under `secret`. */
export function signedBy(secret: string, request: Received): boolean {
  return verifySignature(secret, request.headers['vpcep-signature'] as string | undefined, request.body, Math.floor(Date.now() / 1000))
}

/** A signed call to vpcep's extension API: `path` is relative to `/vpcep-ext/v1/{project_id}`. */
export async function ext(url: string, key: SigningKey, method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<Reply> {
  const result = await signedRequest(url, key, { method, path: `/vpcep-ext/v1/${key.projectId}${path}`, body, query })
  return { status: result.status, body: result.json }
}

/** Subscribes and answers { id, secret }; fails unless the API answers 200. */
export async function subscribe(url: string, key: SigningKey, subscription: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const reply = await ext(url, key, 'POST', '/subscriptions', { subscription })
  if (reply.status !== 200) throw new Error(`subscribe: HTTP ${reply.status} ${JSON.stringify(reply.body)}`)
  return { id: reply.body.subscription.id, secret: reply.body.secret }
}

/** Every delivery of the caller's project (up to 500), optionally of one status. */
export async function deliveries(url: string, key: SigningKey, query: Record<string, string | number> = {}): Promise<any[]> {
  const reply = await ext(url, key, 'GET', '/deliveries', undefined, { limit: 500, ...query })
  if (reply.status !== 200) throw new Error(`deliveries: HTTP ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body.deliveries
}
