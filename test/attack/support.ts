import http from 'node:http'
import querystring from 'node:querystring'
import { createHash } from 'node:crypto'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { signHeaders, type QueryValue, type SigningKey } from '../helpers/signed.ts'
import { collectResponse, type HttpResult } from '../helpers/http.ts'
import type { DialectName, TestServer } from '../helpers/server.ts'
import { sdkClient, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { availableService, settledNewEndpoint } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * Shared by the attack tests: raw requests signed with the official signer whose request line is sent
 * byte for byte (no URL normalisation of `..`), and a direct read of every table to prove that nothing
 * changed.
 */

export interface RawRequest {
  method: string
  /**
   * The path as it goes on the request line. `signPath` is the same path with each segment
   * percent-decoded: what the official signer is given, as Go and Python signers sign the decoded path.
   */
  wirePath: string
  signPath?: string
  /** Decoded query values, signed and sent (querystring encoding) unless `wireQuery` overrides the wire form. */
  query?: Record<string, QueryValue>
  /** The query string exactly as sent (without `?`), when it cannot be produced from `query`. */
  wireQuery?: string
  /** Extra headers, signed. `content-type` defaults to application/json. */
  headers?: Record<string, string>
  /** Raw body bytes, signed through X-Sdk-Content-Sha256. */
  body?: string | Buffer
  /** Authenticate with this IAM token instead of a signature (for paths the signer cannot express). */
  token?: string
  /** Send no credentials at all (public routes). */
  anonymous?: boolean
}

/** Sends one request over a fresh connection; never follows or normalises anything. */
export function sendRaw(baseUrl: string, key: SigningKey, request: RawRequest): Promise<HttpResult> {
  const url = new URL(baseUrl)
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8')
  let headers: Record<string, string>
  if (request.token !== undefined || request.anonymous) {
    headers = { 'content-type': 'application/json', host: url.host, ...(request.headers ?? {}) }
    if (request.token !== undefined) headers['x-auth-token'] = request.token
  } else {
    headers = signHeaders(baseUrl, key, {
      method: request.method,
      path: request.signPath ?? request.wirePath,
      query: request.query,
      headers: request.headers,
      ...(body !== undefined ? { rawBody: body } : {}),
    })
  }
  // The signer drops a multipart content type from what it signs and returns; whatever it returns is sent.
  if (body !== undefined) headers['content-length'] = String(body.length)
  const qs = request.wireQuery ?? querystring.stringify(request.query ?? {})
  const path = `${request.wirePath}${qs ? `?${qs}` : ''}`
  return new Promise((resolve, reject) => {
    // The path goes out byte for byte: a URL object would resolve `..` and re-encode escapes.
    const req = http.request({ hostname: url.hostname, port: url.port, method: request.method, path, headers, agent: false }, (response) => {
      collectResponse(response).then(resolve, reject)
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine. */
export class Rng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }
  chance(p: number): boolean {
    return this.next() < p
  }
}

/** A UUID derived from a label, so fixtures are the same on every run. */
export function fixedUuid(label: string): string {
  const hex = createHash('sha256').update(label).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export interface TableState {
  rows: number
  hash: string
}
export type DatabaseState = Record<string, TableState>

/**
 * Tables whose contents legitimately change on requests that change nothing else (tokens), or in the
 * background whatever the requests do (event_cursors: how far event delivery has read the outbox).
 */
const EXCLUDED_TABLES = new Set(['tokens', 'event_cursors'])

function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('hex'))
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function tableState(rows: unknown[]): TableState {
  const lines = rows.map(canonical).sort()
  return { rows: rows.length, hash: createHash('sha256').update(lines.join('\n')).digest('hex') }
}

/** Reads every table (but `tokens`) over its own connection: row counts and a hash of the contents. */
export interface DatabaseReader {
  state(): Promise<DatabaseState>
  /** Rows of endpoint services and endpoints still moving between states. */
  inTransition(): Promise<number>
  close(): Promise<void>
}

export async function openReader(dialect: DialectName, databaseUrl: string): Promise<DatabaseReader> {
  if (dialect === 'sqlite') {
    const db = new SqliteDatabase(databaseUrl.slice('sqlite:'.length).replace(/^\/\//, ''), { readonly: true, fileMustExist: true })
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`
    return {
      async state() {
        const tables = (db.prepare("select name from sqlite_master where type = 'table' order by name").all() as Array<{ name: string }>).map((t) => t.name)
        const state: DatabaseState = {}
        for (const table of tables) if (!EXCLUDED_TABLES.has(table)) state[table] = tableState(db.prepare(`select * from ${quote(table)}`).all())
        return state
      },
      async inTransition() {
        const row = db
          .prepare("select (select count(*) from endpoint_services where status in ('creating','deleting')) + (select count(*) from endpoints where status in ('creating','deleting')) as n")
          .get() as { n: number }
        return row.n
      },
      async close() {
        db.close()
      },
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`
  return {
    async state() {
      const tables = (await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name")).rows.map((t) => t.table_name)
      const state: DatabaseState = {}
      for (const table of tables) if (!EXCLUDED_TABLES.has(table)) state[table] = tableState((await client.query(`select * from ${quote(table)}`)).rows)
      return state
    },
    async inTransition() {
      const result = await client.query<{ n: string }>(
        "select (select count(*) from endpoint_services where status in ('creating','deleting')) + (select count(*) from endpoints where status in ('creating','deleting')) as n",
      )
      return Number(result.rows[0]!.n)
    },
    async close() {
      await client.end()
    },
  }
}

/** Names the tables whose row count or contents differ. */
export function changedTables(before: DatabaseState, after: DatabaseState): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)])
  return [...names].filter((name) => before[name]?.hash !== after[name]?.hash).map((name) => `${name} (${before[name]?.rows ?? '-'} → ${after[name]?.rows ?? '-'} rows)`)
}

/** Waits until no resource is creating or deleting (the reconciler runs right after each change). */
export async function settle(reader: DatabaseReader, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while ((await reader.inTransition()) > 0) {
    if (Date.now() > deadline) throw new Error('resources stayed in creating/deleting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** The `/v1`, `/v2` and `/v3` operations the server documents, from its own OpenAPI document. */
export interface DocumentedOperation {
  operationId: string
  method: string
  path: string
  pathParams: string[]
  query: Record<string, Record<string, unknown>>
  body?: Record<string, unknown>
}

export async function documentedOperations(server: TestServer): Promise<DocumentedOperation[]> {
  const document = (await server.app.server.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ in: string; name: string; schema: Record<string, unknown> }>; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>>
  }
  const operations: DocumentedOperation[] = []
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!/^\/v[123]\//.test(path)) continue
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? []
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema])),
        body: operation.requestBody?.content['application/json']?.schema,
      })
    }
  }
  return operations.sort((a, b) => (a.operationId < b.operationId ? -1 : 1))
}

/** Fills `{name}` placeholders, encoding each value for the wire and keeping the decoded form for the signer. */
export function fillPath(template: string, values: Record<string, string>): { wirePath: string; signPath: string } {
  const fill = (encode: (value: string) => string) => template.replace(/\{([a-z_]+)\}/g, (_, name: string) => encode(values[name] ?? `{${name}}`))
  return { wirePath: fill((v) => encodeURIComponent(v)), signPath: fill((v) => v) }
}

/** Runs `work` over `items` with at most `limit` in flight; answers when all are done. */
export async function pool<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      await work(items[index]!, index)
    }
  })
  await Promise.all(workers)
}

/** One account with one of everything, for the attack tests. */
export interface Tenant {
  label: string
  account: NewAccount
  sdk: TestVpcepClient
  vpcId: string
  subnetId: string
  /** An available LB service, upgraded to the professional edition with several backends allowed. */
  service: SdkResponse
  /** Whitelist records of `service` naming made-up accounts (never one of the test's). */
  records: SdkResponse[]
  /** The tenant's own endpoint to its own service (approval enabled: pendingAcceptance). */
  endpoint: SdkResponse
  /** The tenant's gateway endpoint to the public OBS service. */
  gatewayEndpoint: SdkResponse
  tag: { key: string; value: string }
}

/** A made-up account id, unique to `label`. */
export function strangerDomain(label: string): string {
  return createHash('sha256').update(`stranger:${label}`).digest('hex').slice(0, 32)
}

export async function createTenant(server: TestServer, label: string): Promise<Tenant> {
  const account = await server.account(label)
  const sdk = sdkClient(server.url, account)
  const vpcId = fixedUuid(`${label}:vpc`)
  const subnetId = fixedUuid(`${label}:subnet`)
  const service = await availableService(sdk, { port_id: fixedUuid(`${label}:port`), vpc_id: vpcId, server_type: 'LB', service_name: label.slice(0, 16) })
  await sdk.upgradeEndpointService(service.id, { action: 'upgrade', enable_multi_server: true })
  const records = (
    await sdk.batchAddEndpointServicePermissions(service.id, {
      permissions: [1, 2, 3].map((n) => ({ permission: `iam:domain::${strangerDomain(`${label}${n}`)}`, description: `${label} record ${n}` })),
    })
  ).permissions as SdkResponse[]
  const endpoint = await settledNewEndpoint(sdk, { endpoint_service_id: service.id, vpc_id: vpcId, subnet_id: subnetId })
  const obs = (await sdk.listServicePublicDetails({ endpoint_service_name: 'obs' })).endpoint_services.find((s: SdkResponse) => s.service_type === 'gateway')
  if (!obs) throw new Error('the public catalog has no gateway service')
  const gatewayEndpoint = await settledNewEndpoint(sdk, { endpoint_service_id: obs.id, vpc_id: fixedUuid(`${label}:gateway-vpc`), subnet_id: undefined })
  const tag = { key: `key-${label}`, value: `value-${label}` }
  const tags = new TagClient(server.url, account)
  await tags.action('endpoint_service', service.id, { action: 'create', tags: [tag] })
  await tags.action('endpoint', endpoint.id, { action: 'create', tags: [tag] })
  return { label, account, sdk, vpcId, subnetId, service: await sdk.listServiceDetails(service.id), records, endpoint: await sdk.listEndpointInfoDetails(endpoint.id), gatewayEndpoint, tag }
}

/** Signed JSON calls of the tag API (the stand-in SDK has none). */
export class TagClient {
  constructor(
    private readonly baseUrl: string,
    private readonly account: NewAccount,
  ) {}
  async action(resourceType: string, resourceId: string, body: unknown): Promise<void> {
    const res = await sendRaw(this.baseUrl, this.account, {
      method: 'POST',
      wirePath: `/v1/${this.account.projectId}/${resourceType}/${resourceId}/tags/action`,
      body: JSON.stringify(body),
    })
    if (res.status !== 204) throw new Error(`tag action failed: ${res.status} ${res.text}`)
  }
}
