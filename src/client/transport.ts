import http from 'node:http'
import https from 'node:https'
import { rfc3986 } from '../identity/signature.ts'
import { signRequest, type AkSk } from './signing.ts'
import { VpcepApiError, VpcepNetworkError } from './errors.ts'

/** How requests prove who sends them: an AK/SK signature, or an IAM token in X-Auth-Token. */
export type Auth = ({ kind: 'aksk' } & AkSk) | { kind: 'token'; token: string }

export interface TransportOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:9880` (a path prefix is kept). */
  endpoint: string
  auth: Auth
  /** Milliseconds before a request without an answer fails with ETIMEDOUT; default 30 s. */
  timeoutMs?: number
  userAgent?: string
  /** Signing clock; default the system clock. */
  now?: () => Date
}

export type QueryValue = string | number | boolean | undefined | ReadonlyArray<string | number>

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Path below the endpoint, already percent-encoded (build it with `pathOf`). */
  path: string
  query?: Record<string, QueryValue>
  /** JSON body; sent as `JSON.stringify(body)` and hashed as exactly those bytes. */
  body?: unknown
  /** Sent (and signed) as X-Project-Id; omitted for calls not scoped to a project (IAM). */
  projectId?: string
}

export interface ApiResponse<T> {
  status: number
  requestId: string
  /** Parsed JSON body; `undefined` for an empty body (204). */
  body: T
}

/** Builds a path from literal parts and values; every value is one RFC 3986-encoded segment. */
export function pathOf(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce((out, part, i) => out + part + (i < values.length ? rfc3986(String(values[i])) : ''), '')
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  const parts: string[] = []
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${rfc3986(name)}=${rfc3986(String(item))}`)
  }
  return parts.join('&')
}

interface RawResponse {
  status: number
  statusText: string
  headers: http.IncomingHttpHeaders
  text: string
}

/** One signed HTTP exchange per call over node:http(s): no retries, no connection reuse. */
export class Transport {
  private readonly base: URL

  constructor(private readonly options: TransportOptions) {
    let base: URL
    try {
      base = new URL(options.endpoint)
    } catch {
      throw new TypeError(`"${options.endpoint}" is not a URL; an endpoint looks like http://127.0.0.1:9880`)
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`the endpoint must be an http:// or https:// URL, got "${options.endpoint}"`)
    this.base = base
  }

  get endpoint(): string {
    return this.base.toString().replace(/\/$/, '')
  }

  async request<T>(options: RequestOptions): Promise<ApiResponse<T>> {
    const prefix = this.base.pathname.replace(/\/+$/, '')
    const qs = queryString(options.query)
    const url = new URL(`${this.base.protocol}//${this.base.host}${prefix}${options.path}${qs ? `?${qs}` : ''}`)
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    let headers: Record<string, string> = { 'content-type': 'application/json' }
    if (options.projectId !== undefined) headers['X-Project-Id'] = options.projectId
    const auth = this.options.auth
    if (auth.kind === 'aksk') headers = signRequest({ method: options.method, url, headers, body, credentials: auth, date: this.options.now?.() })
    else headers['X-Auth-Token'] = auth.token
    headers.Accept = 'application/json'
    headers['User-Agent'] = this.options.userAgent ?? 'vpcep-client/0.1'
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body))

    const raw = await this.send(options.method, url, headers, body)
    const requestId = String(raw.headers['x-request-id'] ?? '')
    let parsed: unknown
    if (raw.text !== '') {
      try {
        parsed = JSON.parse(raw.text)
      } catch {
        parsed = undefined
      }
    }
    if (raw.status >= 200 && raw.status < 300) {
      if (raw.text !== '' && parsed === undefined) {
        throw new VpcepApiError(raw.status, '', `the server at ${this.endpoint} answered ${raw.status} with a body that is not JSON; is this a vpcep endpoint?`, requestId, options.method, url.toString())
      }
      return { status: raw.status, requestId, body: parsed as T }
    }
    const error = errorFields(parsed)
    throw new VpcepApiError(
      raw.status,
      error.code,
      error.message || raw.statusText || `HTTP ${raw.status}`,
      requestId || error.requestId,
      options.method,
      url.toString(),
    )
  }

  private send(method: string, url: URL, headers: Record<string, string>, body: string | undefined): Promise<RawResponse> {
    const timeoutMs = this.options.timeoutMs ?? 30_000
    const client = url.protocol === 'https:' ? https : http
    return new Promise((resolve, reject) => {
      const request = client.request(url, { method, headers, agent: false }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', (error) => reject(networkError(error, url)))
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
        )
      })
      request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })))
      request.on('error', (error) => reject(networkError(error, url)))
      request.end(body)
    })
  }
}

function errorFields(body: unknown): { code: string; message: string; requestId: string } {
  if (typeof body !== 'object' || body === null) return { code: '', message: '', requestId: '' }
  const b = body as Record<string, unknown>
  const nested = typeof b.error === 'object' && b.error !== null ? (b.error as Record<string, unknown>) : {}
  const text = (value: unknown) => (typeof value === 'string' ? value : '')
  return {
    code: text(b.error_code) || text(nested.code) || text(b.code),
    message: text(b.error_msg) || text(nested.message) || text(b.message),
    requestId: text(b.request_id),
  }
}

function networkError(error: Error, url: URL): VpcepNetworkError {
  const code = (error as NodeJS.ErrnoException).code ?? 'ENETWORK'
  const target = `${url.protocol}//${url.host}`
  const what: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: error.message || 'timed out',
    EHOSTUNREACH: 'host unreachable',
  }
  return new VpcepNetworkError(code, target, `cannot reach ${target}: ${what[code] ?? error.message}`)
}
