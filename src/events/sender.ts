import http from 'node:http'
import https from 'node:https'
import { checkLiteralHost, guardedLookup, parseWebhookUrl, type AddressPolicy } from './url-safety.ts'

/** How much of a receiver's answer is read, and how much of that is kept. */
const READ_LIMIT = 1024
export const EXCERPT_LENGTH = 256

export interface Answer {
  statusCode: number
  excerpt: string
}

/** Printable text of the first bytes of an answer: control characters become spaces. */
function excerptOf(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, EXCERPT_LENGTH)
}

/**
 * POSTs webhooks. The URL is checked again at use, and the addresses its host resolves to are checked
 * as the connection is made; redirects are not followed (a 3xx is a failed attempt). Every attempt ends
 * within `timeoutMs`, connect to answer, so a slow or silent receiver holds one worker slot at most
 * that long and never anything of the API's.
 */
export class WebhookSender {
  private readonly agents: { 'http:': http.Agent; 'https:': https.Agent }

  constructor(
    private readonly policy: AddressPolicy,
    private readonly timeoutMs: number,
    maxSockets: number,
  ) {
    const lookup = guardedLookup(policy)
    this.agents = {
      'http:': new http.Agent({ keepAlive: true, maxSockets, lookup } as http.AgentOptions),
      'https:': new https.Agent({ keepAlive: true, maxSockets, lookup } as https.AgentOptions),
    }
  }

  post(rawUrl: string, body: string, headers: Record<string, string>): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let url: URL
      try {
        url = parseWebhookUrl(rawUrl)
        checkLiteralHost(url, this.policy)
      } catch (error) {
        reject(error)
        return
      }
      const protocol = url.protocol as 'http:' | 'https:'
      const client = protocol === 'https:' ? https : http
      const payload = Buffer.from(body, 'utf8')
      const request = client.request(url, {
        method: 'POST',
        agent: this.agents[protocol],
        lookup: guardedLookup(this.policy),
        headers: { ...headers, 'content-length': String(payload.length) },
      })
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs)
      const finish = (outcome: () => void) => {
        clearTimeout(timer)
        outcome()
      }
      request.on('error', (error) => finish(() => reject(error)))
      request.on('response', (response) => {
        const chunks: Buffer[] = []
        let read = 0
        const done = () => finish(() => resolve({ statusCode: response.statusCode ?? 0, excerpt: excerptOf(chunks) }))
        response.on('data', (chunk: Buffer) => {
          if (read >= READ_LIMIT) return
          chunks.push(chunk.subarray(0, READ_LIMIT - read))
          read += chunk.length
          // Enough read: the rest is not wanted, and the connection is not worth keeping for it.
          if (read >= READ_LIMIT) {
            response.destroy()
            done()
          }
        })
        response.on('end', done)
        response.on('error', (error) => finish(() => reject(error)))
      })
      request.end(payload)
    })
  }

  close(): void {
    this.agents['http:'].destroy()
    this.agents['https:'].destroy()
  }
}
