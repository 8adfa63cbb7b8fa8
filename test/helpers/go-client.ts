import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js'
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js'
import { httpRequest, type HttpResult } from './http.ts'
import { sdkDate, type SigningKey } from './signed.ts'

/*
 * The wire behaviour of the Go client the Terraform provider uses (chnsz/golangsdk, vendored in
 * huaweicloud/terraform-provider-huaweicloud), as far as a server can see it:
 * - the signature covers host, X-Project-Id and X-Sdk-Date only: the Go signer leaves Content-Type out,
 *   which is sent (unsigned) with a JSON body only;
 * - queries are url.Values.Encode(): keys sorted, form-encoded;
 * - bodies are whatever the request struct marshals to (the caller builds them with `omitEmpty`);
 * - a status outside the operation's OK codes is an error; a 404 is golangsdk.ErrDefault404.
 */

export class GoRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: any,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)?.slice(0, 300)}`)
  }
  get code(): string | undefined {
    return this.body?.error_code
  }
}

export interface GoCall {
  method: string
  path: string
  query: string
  body?: unknown
  status: number
  response?: any
}

/** Leaves out what Go's `json:",omitempty"` leaves out: "", 0, false, nil and empty slices or maps. */
export function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => !(v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0))),
  )
}

export class GoClient {
  /** Every request sent, in order: tests assert on what an apply writes. */
  readonly calls: GoCall[] = []

  constructor(
    private readonly baseUrl: string,
    private readonly key: SigningKey,
  ) {}

  get projectId(): string {
    return this.key.projectId
  }

  async request(method: string, path: string, options: { query?: Record<string, string | number>; body?: unknown; ok?: number[] } = {}): Promise<any> {
    const fullPath = path.replace('{project_id}', this.key.projectId)
    const query = Object.fromEntries(Object.entries(options.query ?? {}).map(([k, v]) => [k, String(v)]))
    const headers: Record<string, string> = { 'X-Project-Id': this.key.projectId, 'X-Sdk-Date': sdkDate(new Date()) }
    const credential = new BasicCredentials().withAk(this.key.accessKey).withSk(this.key.secretKey).withProjectId(this.key.projectId)
    const toSign: Record<string, unknown> = { endpoint: `${this.baseUrl}${fullPath}`, method, headers, queryParams: query }
    if (options.body !== undefined) toSign.data = options.body
    const signed = AKSKSigner.sign(toSign, credential) as Record<string, string>
    const wireQuery = new URLSearchParams(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString()
    const res: HttpResult = await httpRequest(`${this.baseUrl}${fullPath}${wireQuery ? `?${wireQuery}` : ''}`, {
      method,
      headers: { ...signed, ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }), Accept: 'application/json', 'User-Agent': 'golangsdk' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
    this.calls.push({ method, path: fullPath, query: wireQuery, body: options.body, status: res.status, response: res.json })
    // golangsdk's defaultOkCodes, unless the operation names its own.
    const ok = options.ok ?? (method === 'GET' ? [200] : method === 'DELETE' ? [200, 202, 204] : [200, 201, 202])
    if (!ok.includes(res.status)) throw new GoRequestError(res.status, res.json ?? res.text)
    return res.json
  }

  /**
   * pagination.OffsetPageBase: the first page as given, then `offset` advanced by the size of the page
   * just read, until a page is empty. The page size is read from the body's array field.
   */
  async listAll(path: string, arrayField: string, query: Record<string, string | number> = {}): Promise<any[]> {
    const all: any[] = []
    let current = { ...query }
    for (let pages = 0; pages < 1000; pages++) {
      const body = await this.request('GET', path, { query: current })
      const arrays = Object.entries(body).filter(([k, v]) => Array.isArray(v) && !k.endsWith('links'))
      if (arrays.length !== 1 || arrays[0]![0] !== arrayField) throw new Error(`a page must hold exactly one array, ${arrayField}; got ${arrays.map(([k]) => k).join(', ')}`)
      const items = arrays[0]![1] as any[]
      if (items.length === 0) return all
      all.push(...items)
      const offset = Number(current.offset ?? 0)
      const limit = current.limit !== undefined ? Number(current.limit) : items.length
      current = { ...current, offset: offset + limit }
    }
    throw new Error('paging never ended')
  }
}

/** retry.StateChangeConf: polls until a target state; any state that is neither pending nor target fails. */
export async function waitForState(refresh: () => Promise<string>, pending: string[], target: string[], what: string, timeoutMs = 10_000): Promise<string[]> {
  const seen: string[] = []
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const state = await refresh()
    if (seen[seen.length - 1] !== state) seen.push(state)
    if (target.includes(state)) return seen
    if (!pending.includes(state)) throw new Error(`${what}: unexpected state '${state}', wanted target '${target.join(', ')}' (seen ${seen.join(' → ')})`)
    if (Date.now() > deadline) throw new Error(`${what}: timeout while ${state} (seen ${seen.join(' → ')})`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** What `read` answers, or undefined when it fails with HTTP 404 (golangsdk.ErrDefault404). */
export async function unlessGone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof GoRequestError && error.status === 404) return undefined
    throw error
  }
}

/** The refresh function of the provider's waiters: the resource's status, or `deleted` on HTTP 404. */
export function statusOrDeleted(read: () => Promise<any>): () => Promise<string> {
  return async () => (await unlessGone(read))?.status ?? 'deleted'
}
