// `npm run bench`: starts vpcep as its own process (the bundle `npm start` runs: node --enable-source-maps
// dist/main.mjs), seeds it through the API, drives it with autocannon from separate load processes
// (bench/load.mjs) using pre-signed SDK-HMAC-SHA256 requests, and prints one table. Every row is measured
// next to its two baselines, in the same run on the same machine: a bare node:http server answering a JSON
// body of the same size (bench/bare.ts), and the same bare server verifying the same signatures with a
// lean check.
//
// Settings (environment): BENCH_DURATION seconds per measurement (5), BENCH_WARMUP seconds before each (1),
// BENCH_CONNECTIONS (50), BENCH_ENDPOINTS_LARGE (100000), BENCH_SKIP_PG=1 to leave out the PostgreSQL rows,
// BENCH_ONLY=comma-separated row keys (get,workers,token,list,decide,create,webhooks,large,pg,dataplane) to run a subset
// (with pg and others, the PostgreSQL rows of those keys only),
// BENCH_PROFILE=dir to start every vpcep process with --cpu-prof writing into dir.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { openStore } from '../src/store/database.ts'
import { createAccount, type NewAccount } from '../src/identity/accounts.ts'
import { systemClock } from '../src/domain/clock.ts'
import { sha256Hex } from '../src/identity/signature.ts'
import { sign, variants, type Key, type Prepared } from './signing.ts'
import { findPostgresBin, startDurableCluster } from './pg.ts'
import { describeDelivery, measureDelivery } from './webhooks.ts'

import { dataplaneRows } from './dataplane.ts'
import { bulkInsertSqlite, invisibleChange } from './sqlite-fill.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DURATION = Number(process.env.BENCH_DURATION ?? 5)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const LARGE = Number(process.env.BENCH_ENDPOINTS_LARGE ?? 100_000)
const SMALL = 1000
/** Distinct pre-signed requests per row (distinct X-Sdk-Date values, one second apart, centred on now). */
const VARIANTS = 400
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean))
const wanted = (key: string) => ONLY.size === 0 || ONLY.has(key)
/** A PostgreSQL row: every one with BENCH_ONLY unset or just `pg`, else those named beside `pg`. */
const wantedOnPg = (key: string) => [...ONLY].every((k) => k === 'pg') || ONLY.has(key)
const REGION = 'cn-north-4'
const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const SUBNET = '6189d3c2-8882-4871-a3c2-d380272eed81'

interface Measured {
  rps: number
  /** CPU time of the server process(es) per request, in microseconds (warm-up included on both sides). */
  cpuUs: number
  p50: number
  p99: number
  count: number
  non2xx: number
  warmupCount: number
  /** Cores the server process(es) and the load processes kept busy on average over the measurement. */
  serverCores: number
  loadCores: number
}

const children = new Set<ChildProcess>()
const cleanups: Array<() => void | Promise<void>> = []
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`)

// ---------------------------------------------------------------------------------------------- helpers

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function keyOf(account: NewAccount): Key {
  return { accessKey: account.accessKey, secretKey: account.secretKey, projectId: account.projectId }
}

async function send(baseUrl: string, request: Prepared): Promise<{ status: number; text: string; headers: Headers }> {
  const { host: _host, ...headers } = request.headers
  const response = await fetch(`${baseUrl}${request.path}`, { method: request.method, headers, body: request.body })
  return { status: response.status, text: await response.text(), headers: response.headers }
}

async function call(server: VpcepProcess, key: Key, method: string, pathAndQuery: string, body?: unknown): Promise<any> {
  const result = await send(server.url, sign(key, server.host, method, pathAndQuery, body, new Date()))
  if (result.status >= 300) throw new Error(`${method} ${pathAndQuery} answered ${result.status}: ${result.text.slice(0, 300)}`)
  return result.text ? JSON.parse(result.text) : undefined
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

async function inBatches<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++
        results[i] = await work(i)
      }
    }),
  )
  return results
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
}

// ---------------------------------------------------------------------------------------------- processes

interface VpcepProcess {
  url: string
  host: string
  pid: number
  child: ChildProcess
  /** Milliseconds from spawn to the first /healthz 200. */
  spawnToHealthyMs: number
  /** The readyMs of the "vpcep ready" log line (only when started with logging on). */
  readyMs?: number
  stop(): Promise<void>
}

let built = false

/** Starts the server as `npm start` does (`node --enable-source-maps dist/main.mjs`) on a free port and waits for /healthz. */
async function startVpcep(databaseUrl: string, options: { logLevel?: string; workers?: number } = {}): Promise<VpcepProcess> {
  // Once per run, before the first start: every process of the run measures the bundle of this checkout's src/.
  if (!built) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' })
    built = true
  }
  const port = await freePort()
  const env = {
    ...process.env,
    VPCEP_DATABASE_URL: databaseUrl,
    VPCEP_PORT: String(port),
    VPCEP_HOST: '127.0.0.1',
    VPCEP_LOG_LEVEL: options.logLevel ?? 'silent',
    VPCEP_QUOTA_ENDPOINTS: '1000000',
    VPCEP_QUOTA_ENDPOINT_SERVICES: '1000',
    VPCEP_REGION: REGION,
    VPCEP_WORKERS: String(options.workers ?? 1),
  }
  const started = performance.now()
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.BENCH_PROFILE)] : []
  const child = spawn(process.execPath, [...profile, '--enable-source-maps', 'dist/main.mjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let readyMs: number | undefined
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
    for (const line of chunk.split('\n')) {
      if (line.includes('"vpcep ready"')) readyMs = (JSON.parse(line) as { readyMs: number }).readyMs
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vpcep exited with ${child.exitCode}:\n${output}`)
    try {
      const response = await fetch(`${url}/healthz`)
      await response.arrayBuffer()
      if (response.status === 200) break
    } catch {
      // not listening yet
    }
    await sleep(5)
    if (performance.now() - started > 60_000) throw new Error(`vpcep did not become healthy:\n${output}`)
  }
  const spawnToHealthyMs = performance.now() - started
  if (options.logLevel && options.logLevel !== 'silent') await eventually(async () => readyMs, 'the "vpcep ready" line', 5000)
  return {
    url,
    host: `127.0.0.1:${port}`,
    pid: child.pid!,
    child,
    spawnToHealthyMs,
    readyMs,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      children.delete(child)
    },
  }
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds, with that of its descendants: the
 * live ones (VPCEP_WORKERS, PostgreSQL backends) and those that ended (counted in the parent once reaped).
 */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  let ms = ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / 100
  let children: string[] = []
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
  } catch {}
  for (const child of children) {
    // A child that ended between the listing and this read (a PostgreSQL backend closing) is counted in its parent once reaped.
    try {
      ms += cpuMs(Number(child))
    } catch {}
  }
  return ms
}

/** Peak resident set size (VmHWM) of a process, in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

interface BareServer {
  url: string
  pid: number
  setSize(bytes: number): Promise<void>
  stop(): Promise<void>
}

async function startBare(mode: 'plain' | 'verify' | 'fastify', keys: Key[], tokens: string[], size = 1024): Promise<BareServer> {
  const env = {
    ...process.env,
    BARE_MODE: mode,
    BARE_SIZE: String(size),
    BARE_KEYS: JSON.stringify(Object.fromEntries(keys.map((k) => [k.accessKey, k.secretKey]))),
    BARE_TOKENS: JSON.stringify(tokens),
  }
  const child = spawn(process.execPath, ['--import', 'tsx', mode === 'fastify' ? 'bench/floor.ts' : 'bench/bare.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] })
  children.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    let text = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk
      const match = /listening (\d+)/.exec(text)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)))
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    pid: child.pid!,
    async setSize(bytes) {
      const response = await fetch(`${url}/__bench/size?bytes=${bytes}`, { method: 'PUT' })
      await response.arrayBuffer()
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
      children.delete(child)
    },
  }
}

interface LoadResult {
  count: number
  seconds: number
  statuses: Record<string, number>
  latencies: number[]
  warmupCount?: number
  cpuMs: number
}

/**
 * A freshly started process compiles its hot paths in the first thousands of requests: one unmeasured
 * load first, so the rows compare servers in the same (steady) state however recently each was started.
 */
async function warmUp(server: VpcepProcess, requests: Prepared[]): Promise<void> {
  log(`warming up the server on port ${server.host.split(':')[1]}`)
  await load([{ url: server.url, pid: server.pid, requests }])
}

/** Runs one load process per target at once (connections split between them) and merges their results. */
async function load(targets: Array<{ url: string; pid: number; requests: Prepared[] }>, connections = CONNECTIONS): Promise<Measured> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-bench-load-'))
  try {
    const cpuBefore = targets.reduce((sum, t) => sum + cpuMs(t.pid), 0)
    const started = performance.now()
    const results = await Promise.all(
      targets.map(async (target, i) => {
        const file = path.join(dir, `spec-${i}.json`)
        const share = Math.floor(connections / targets.length) + (i < connections % targets.length ? 1 : 0)
        fs.writeFileSync(file, JSON.stringify({ url: target.url, connections: share, warmupSec: WARMUP, durationSec: DURATION, requests: target.requests }))
        const child = spawn(process.execPath, [path.join(ROOT, 'bench/load.mjs'), file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
        children.add(child)
        let text = ''
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
        children.delete(child)
        if (code !== 0) throw new Error(`load process exited with ${code}`)
        return JSON.parse(text) as LoadResult
      }),
    )
    const all = new Float64Array(results.reduce((n, r) => n + r.latencies.length, 0))
    let offset = 0
    for (const r of results) {
      all.set(r.latencies, offset)
      offset += r.latencies.length
    }
    all.sort()
    const cpuUsed = targets.reduce((sum, t) => sum + cpuMs(t.pid), 0) - cpuBefore
    const wallMs = performance.now() - started
    const served = results.reduce((n, r) => n + r.count + (r.warmupCount ?? 0), 0)
    let non2xx = 0
    for (const r of results) for (const [status, n] of Object.entries(r.statuses)) if (!status.startsWith('2')) non2xx += n
    return {
      rps: results.reduce((sum, r) => sum + r.count / r.seconds, 0),
      cpuUs: (cpuUsed * 1000) / served,
      p50: percentile(all, 0.5),
      p99: percentile(all, 0.99),
      count: all.length,
      non2xx,
      warmupCount: results.reduce((n, r) => n + (r.warmupCount ?? 0), 0),
      serverCores: cpuUsed / wallMs,
      loadCores: results.reduce((n, r) => n + r.cpuMs, 0) / wallMs,
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------- the table

interface Row {
  name: string
  vpcep: Measured
  verify: Measured
  plain: Measured
  bytes: number
  note?: string
  /** The issue's target for this row, and whether this run met it. */
  target?: { text: string; met: boolean }
}
const rows: Row[] = []

/** Sets the target a row is judged by. */
function aim(row: Row | undefined, text: string, met: (row: Row) => boolean): void {
  if (row) row.target = { text, met: met(row) }
}

const percentOfVerifying = (row: Row) => (100 * row.vpcep.rps) / row.verify.rps

/** A note for a row of several processes: where the two cores went during its measurement. */
function coresNote(row: Row, versus?: Row): string {
  const of = (r: Row) => `server ${fmt(r.vpcep.serverCores, 2)} cores, load generator ${fmt(r.vpcep.loadCores, 2)}`
  return versus ? `${of(row)} (1 process: ${of(versus)})` : of(row)
}
const facts: Array<[string, string]> = []
let bare: { plain: BareServer; verify: BareServer } | undefined

/** (Re)starts the two baseline servers; the verifying one holds these keys and token hashes in memory. */
async function startBaselines(keys: Key[], tokenHashes: string[]): Promise<void> {
  if (bare) {
    await bare.plain.stop()
    await bare.verify.stop()
  } else {
    cleanups.push(() => bare?.plain.stop(), () => bare?.verify.stop())
  }
  bare = { plain: await startBare('plain', [], []), verify: await startBare('verify', keys, tokenHashes) }
}

/**
 * Measures one row: the bare server and the verifying bare server with the same requests and an answer
 * of the same size, then vpcep. `targets` are vpcep instances (two for the two-instance rows).
 */
/** Work that runs beside vpcep's load only (not the baselines'): `start` answers its `stop`. */
type Beside = () => () => string

async function measureRow(
  name: string,
  targets: Array<{ url: string; pid: number; requests: Prepared[] }>,
  note?: string,
  check?: () => Promise<string>,
  beside?: Beside,
): Promise<Row> {
  const first = targets[0]!
  const probe = await send(first.url, first.requests[0]!)
  if (probe.status >= 300) throw new Error(`${name}: probe answered ${probe.status}: ${probe.text.slice(0, 300)}`)
  const bytes = Buffer.byteLength(probe.text)
  await bare!.plain.setSize(bytes)
  await bare!.verify.setSize(bytes)
  log(`${name}: bare server`)
  const plain = await load([{ url: bare!.plain.url, pid: bare!.plain.pid, requests: first.requests }])
  log(`${name}: bare server verifying signatures`)
  const verify = await load([{ url: bare!.verify.url, pid: bare!.verify.pid, requests: first.requests }])
  log(`${name}: vpcep`)
  const stopBeside = beside?.()
  const vpcep = await load(targets)
  const besideNote = stopBeside?.()
  const extra = check ? await check() : undefined
  const row = { name, vpcep, verify, plain, bytes, note: [note, besideNote, extra].filter(Boolean).join('; ') || undefined }
  rows.push(row)
  log(`${name}: ${fmt(vpcep.rps, 0)} req/s, p50 ${fmt(vpcep.p50, 2)} ms, p99 ${fmt(vpcep.p99, 2)} ms, ${fmt(vpcep.cpuUs, 0)} µs CPU/req (verifying bare ${fmt(verify.rps, 0)} req/s, ${fmt(verify.cpuUs, 0)} µs; bare ${fmt(plain.rps, 0)} req/s, ${fmt(plain.cpuUs, 0)} µs)`)
  return row
}

function fmt(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-'
}

function printTable(): void {
  const header = ['row', 'target', 'req/s', 'p50 ms', 'p99 ms', 'vs verifying bare', 'vs bare', 'verifying bare req/s (p99 ms)', 'bare req/s (p99 ms)', 'CPU µs/req: vpcep / verifying bare / bare', 'body B', 'non-2xx']
  const lines = rows.map((r) => [
    r.name,
    r.target ? `${r.target.text}: ${r.target.met ? 'met' : '**missed**'}` : '-',
    fmt(r.vpcep.rps, 0),
    fmt(r.vpcep.p50, 2),
    fmt(r.vpcep.p99, 2),
    `${fmt((100 * r.vpcep.rps) / r.verify.rps, 1)}%`,
    `${fmt((100 * r.vpcep.rps) / r.plain.rps, 1)}%`,
    `${fmt(r.verify.rps, 0)} (${fmt(r.verify.p99, 2)})`,
    `${fmt(r.plain.rps, 0)} (${fmt(r.plain.p99, 2)})`,
    `${fmt(r.vpcep.cpuUs, 0)} / ${fmt(r.verify.cpuUs, 0)} / ${fmt(r.plain.cpuUs, 0)}`,
    String(r.bytes),
    `${r.vpcep.non2xx}${r.verify.non2xx + r.plain.non2xx > 0 ? ` (baselines ${r.verify.non2xx + r.plain.non2xx})` : ''}`,
  ])
  const out: string[] = []
  out.push(`| ${header.join(' | ')} |`)
  out.push(`| ${header.map((h, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`)
  for (const line of lines) out.push(`| ${line.join(' | ')} |`)
  out.push('')
  for (const [fact, value] of facts) out.push(`- ${fact}: ${value}`)
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`)
  if (notes.length > 0) out.push('', 'Notes:', ...notes)
  process.stdout.write(`\n${out.join('\n')}\n`)
}

// ---------------------------------------------------------------------------------------------- seeding

interface World {
  provider: NewAccount
  consumer: NewAccount
  serviceId: string
  endpointIds: string[]
}

async function createAccounts(databaseUrl: string): Promise<{ provider: NewAccount; consumer: NewAccount }> {
  const store = await openStore(databaseUrl)
  try {
    return {
      provider: await createAccount(store, systemClock, REGION, 'benchprovider'),
      consumer: await createAccount(store, systemClock, REGION, 'benchconsumer'),
    }
  } finally {
    await store.close()
  }
}

/** Through the API: the provider's service (approval on), the consumer on its whitelist, `count` endpoints. */
async function seedThroughApi(server: VpcepProcess, provider: NewAccount, consumer: NewAccount, count: number): Promise<World> {
  const p = keyOf(provider)
  const c = keyOf(consumer)
  const service = await call(server, p, 'POST', `/v1/${p.projectId}/vpc-endpoint-services`, {
    port_id: randomUUID(),
    vpc_id: VPC,
    server_type: 'VM',
    approval_enabled: true,
    description: 'benchmark service',
    ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }],
    tags: [{ key: 'team', value: 'bench' }],
  })
  const serviceId = service.id as string
  await eventually(async () => {
    const s = await call(server, p, 'GET', `/v1/${p.projectId}/vpc-endpoint-services/${serviceId}`)
    return s.status === 'available' ? true : undefined
  }, 'the service to become available')
  await call(server, p, 'POST', `/v1/${p.projectId}/vpc-endpoint-services/${serviceId}/permissions/action`, {
    permissions: [`iam:domain::${consumer.domainId}`],
    action: 'add',
  })
  const endpointIds = await inBatches(count, 8, async () => {
    const endpoint = await call(server, c, 'POST', `/v1/${c.projectId}/vpc-endpoints`, {
      endpoint_service_id: serviceId,
      vpc_id: VPC,
      subnet_id: SUBNET,
      description: 'benchmark endpoint',
      tags: [{ key: 'team', value: 'bench' }],
    })
    return endpoint.id as string
  })
  await eventually(async () => {
    const page = await call(server, p, 'GET', `/v1/${p.projectId}/vpc-endpoint-services/${serviceId}/connections?status=pendingAcceptance&limit=1`)
    return page.total_count >= count ? true : undefined
  }, 'the endpoints to await acceptance')
  return { provider, consumer, serviceId, endpointIds }
}

async function issueTokens(server: VpcepProcess, account: NewAccount, count: number): Promise<string[]> {
  return inBatches(count, 4, async () => {
    const response = await fetch(`${server.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: account.domainName } } } },
          scope: { project: { id: account.projectId } },
        },
      }),
    })
    await response.arrayBuffer()
    const token = response.headers.get('x-subject-token')
    if (response.status !== 201 || !token) throw new Error(`token issue answered ${response.status}`)
    return token
  })
}

// ---------------------------------------------------------------------------------------------- rows

function getServiceRequests(server: VpcepProcess, world: World): Prepared[] {
  const p = keyOf(world.provider)
  return variants(VARIANTS, (date) => sign(p, server.host, 'GET', `/v1/${p.projectId}/vpc-endpoint-services/${world.serviceId}`, undefined, date))
}

/**
 * Accept/reject requests that each change a connection: endpoint i is accepted, later rejected, then
 * accepted again as the list cycles (pendingAcceptance → accepted → rejected → accepted …).
 */
function decisionRequests(server: VpcepProcess, world: World, endpointIds: string[]): Prepared[] {
  const p = keyOf(world.provider)
  const path = `/v1/${p.projectId}/vpc-endpoint-services/${world.serviceId}/connections/action`
  return variants(endpointIds.length * 2, (date, i) =>
    sign(p, server.host, 'POST', path, { action: i < endpointIds.length ? 'receive' : 'reject', endpoints: [endpointIds[i % endpointIds.length]] }, date),
  )
}

function createRequests(server: VpcepProcess, world: World): Prepared[] {
  const c = keyOf(world.consumer)
  return variants(VARIANTS, (date) =>
    sign(c, server.host, 'POST', `/v1/${c.projectId}/vpc-endpoints`, { endpoint_service_id: world.serviceId, vpc_id: VPC, subnet_id: SUBNET, description: 'benchmark endpoint' }, date),
  )
}

function listRequests(server: VpcepProcess, world: World): Prepared[] {
  const c = keyOf(world.consumer)
  return variants(VARIANTS, (date) => sign(c, server.host, 'GET', `/v1/${c.projectId}/vpc-endpoints?limit=100`, undefined, date))
}

/**
 * Another connection (as the CLI or a second process would be) committing about every millisecond, so
 * nothing a list remembered holds for long: the provider's service description changes back and forth
 * (no list answer shows it).
 */
function changingDatabase(file: string): Beside {
  return () => {
    const db = new SqliteDatabase(file)
    db.pragma('synchronous = normal')
    const touch = invisibleChange(db)
    let commits = 0
    const started = Date.now()
    const timer = setInterval(() => {
      touch()
      commits++
    }, 1)
    return () => {
      clearInterval(timer)
      db.close()
      return `${fmt(commits / ((Date.now() - started) / 1000), 0)} commits/s from another connection during vpcep's load`
    }
  }
}

async function sqliteDecisionCount(file: string): Promise<number> {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true })
  try {
    return (db.prepare(`select count(*) as n from events where type in ('connection.accepted', 'connection.rejected')`).get() as { n: number }).n
  } finally {
    db.close()
  }
}

async function sqliteRows(dir: string): Promise<void> {
  const file = path.join(dir, 'vpcep.db')
  const databaseUrl = `sqlite:${file}`
  const { provider, consumer } = await createAccounts(databaseUrl)
  let server = await startVpcep(databaseUrl)
  log(`SQLite: seeding ${SMALL} endpoints through the API`)
  const world = await seedThroughApi(server, provider, consumer, SMALL)
  const tokens = await issueTokens(server, provider, 8)
  await startBaselines([keyOf(provider), keyOf(consumer)], tokens.map((t) => sha256Hex(t)))

  if (wanted('get') || wanted('workers')) {
    await warmUp(server, getServiceRequests(server, world))
    const row = await measureRow('SQLite: GET endpoint service, AK/SK', [{ url: server.url, pid: server.pid, requests: getServiceRequests(server, world) }])
    aim(row, '≤ 80 µs CPU, ≥ 55 % of verifying bare, p99 < 20 ms', (r) => r.vpcep.cpuUs <= 80 && percentOfVerifying(r) >= 55 && r.vpcep.p99 < 20)
    if (wanted('workers')) {
      // The same database and requests through VPCEP_WORKERS=2 (the 1-process server stopped meanwhile).
      await server.stop()
      const two = await startVpcep(databaseUrl, { workers: 2 })
      await warmUp(two, getServiceRequests(two, world))
      const workers = await measureRow('SQLite: GET endpoint service, AK/SK, 2 workers', [{ url: two.url, pid: two.pid, requests: getServiceRequests(two, world) }])
      await two.stop()
      workers.note = coresNote(workers, row)
      aim(workers, '≥ 1.3× the 1-process row', (r) => r.vpcep.rps >= 1.3 * row.vpcep.rps)
      facts.push(['SQLite: 2 workers vs 1 process', `${(workers.vpcep.rps / row.vpcep.rps).toFixed(2)}× req/s (${fmt(workers.vpcep.rps, 0)} vs ${fmt(row.vpcep.rps, 0)}); CPU ${fmt(workers.vpcep.cpuUs, 0)} vs ${fmt(row.vpcep.cpuUs, 0)} µs/req (primary and workers together)`])
      server = await startVpcep(databaseUrl)
    }
    // Reference, not vpcep: Fastify with the same lean check and no database, same requests and body size.
    const floor = await startBare('fastify', [keyOf(provider)], [], row.bytes)
    log('reference: Fastify + lean check, no database')
    const measured = await load([{ url: floor.url, pid: floor.pid, requests: getServiceRequests(server, world) }])
    await floor.stop()
    facts.push([
      'Reference for the GET rows (not vpcep): Fastify with the same lean check, no database',
      `${fmt(measured.rps, 0)} req/s, p50 ${fmt(measured.p50, 2)} ms, p99 ${fmt(measured.p99, 2)} ms, ${fmt(measured.cpuUs, 0)} µs CPU/req (${fmt((100 * measured.rps) / row.verify.rps, 0)}% of the verifying bare server measured just before); ${measured.non2xx} non-2xx`,
    ])
  }
  if (wanted('token')) {
    const path = `/v1/${provider.projectId}/vpc-endpoint-services/${world.serviceId}`
    const requests = Array.from({ length: VARIANTS }, (_, i) => ({ method: 'GET', path, headers: { host: server.host, 'x-auth-token': tokens[i % tokens.length]! } }))
    await measureRow('SQLite: GET endpoint service, X-Auth-Token', [{ url: server.url, pid: server.pid, requests }], `${tokens.length} tokens`)
  }
  let listSmall: Row | undefined
  if (wanted('list')) listSmall = await measureRow(`SQLite: list endpoints, limit=100, ${SMALL} endpoints`, [{ url: server.url, pid: server.pid, requests: listRequests(server, world) }])
  aim(listSmall, '≤ 400 µs CPU', (r) => r.vpcep.cpuUs <= 400)
  if (wanted('list')) {
    const changing = await measureRow(`SQLite: list endpoints, limit=100, ${SMALL} endpoints, database changing`, [{ url: server.url, pid: server.pid, requests: listRequests(server, world) }], undefined, undefined, changingDatabase(file))
    aim(changing, '≤ 400 µs CPU', (r) => r.vpcep.cpuUs <= 400)
  }
  if (wanted('decide')) {
    const before = await sqliteDecisionCount(file)
    const ids = world.endpointIds.slice(0, VARIANTS)
    const decided = await measureRow('SQLite: accept/reject connection', [{ url: server.url, pid: server.pid, requests: decisionRequests(server, world, ids) }], `${ids.length} endpoints, each request changes one (durable commit, synchronous=FULL)`, async () => {
      const changes = (await sqliteDecisionCount(file)) - before
      return `${changes} state changes committed (warm-up included)`
    })
    aim(decided, '≥ 2,000 req/s, durable', (r) => r.vpcep.rps >= 2000 && r.vpcep.non2xx === 0)
  }
  if (wanted('webhooks')) {
    log('SQLite: webhook delivery')
    const figures = await measureDelivery((m, p, b) => call(server, keyOf(provider), m, p, b), provider.projectId, world.serviceId, world.endpointIds.slice(0, VARIANTS))
    facts.push(['SQLite: webhook delivery of connection decisions', describeDelivery(figures)])
  }
  if (wanted('create')) await measureRow('SQLite: create endpoint', [{ url: server.url, pid: server.pid, requests: createRequests(server, world) }], 'durable commit, synchronous=FULL; the reconciler moves each to pendingAcceptance meanwhile')
  await server.stop()

  if (!wanted('large')) return
  log(`SQLite: bulk-inserting endpoints up to ${LARGE}`)
  const t0 = performance.now()
  const inserted = bulkInsertSqlite(file, consumer.projectId, LARGE)
  const seedSeconds = (performance.now() - t0) / 1000
  const seeded = world.endpointIds.length
  facts.push([
    `Seeding for ${LARGE.toLocaleString('en-US')} endpoints`,
    `${seeded} endpoints created through the API (plus those of the create row), the other ${inserted.toLocaleString('en-US')} inserted directly into the SQLite file (copies of an API-created endpoint row with its tag and creation event) in ${seedSeconds.toFixed(1)} s, with the server stopped`,
  ])

  const starts: VpcepProcess[] = []
  for (let i = 0; i < 3; i++) {
    const s = await startVpcep(databaseUrl, { logLevel: 'info' })
    starts.push(s)
    await s.stop()
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  facts.push([
    `Start with ${LARGE.toLocaleString('en-US')} endpoints (median of 3)`,
    `readyMs ${median(starts.map((s) => s.readyMs ?? NaN))} ms (the "vpcep ready" line); spawn → /healthz 200 ${median(starts.map((s) => s.spawnToHealthyMs)).toFixed(0)} ms (node --enable-source-maps dist/main.mjs, built by scripts/build.mjs)`,
  ])

  server = await startVpcep(databaseUrl)
  const listLarge = await measureRow(`SQLite: list endpoints, limit=100, ${LARGE.toLocaleString('en-US')} endpoints`, [{ url: server.url, pid: server.pid, requests: listRequests(server, world) }])
  aim(listLarge, '≤ 400 µs CPU, within 1.5× of the 1,000-row list', (r) => r.vpcep.cpuUs <= 400 && (!listSmall || listSmall.vpcep.rps / listSmall.verify.rps / (r.vpcep.rps / r.verify.rps) <= 1.5))
  if (listSmall) {
    // The two rows are minutes apart on a machine others share: compare each to its own baseline.
    const relative = listSmall.vpcep.rps / listSmall.verify.rps / (listLarge.vpcep.rps / listLarge.verify.rps)
    facts.push([
      `List at ${LARGE.toLocaleString('en-US')} vs ${SMALL}`,
      `${relative.toFixed(2)}× the time per request, each row relative to the verifying bare server measured with it; raw ${(listSmall.vpcep.rps / listLarge.vpcep.rps).toFixed(2)}× (${fmt(listLarge.vpcep.rps, 0)} vs ${fmt(listSmall.vpcep.rps, 0)} req/s, p50 ${fmt(listLarge.vpcep.p50, 2)} vs ${fmt(listSmall.vpcep.p50, 2)} ms, CPU ${fmt(listLarge.vpcep.cpuUs, 0)} vs ${fmt(listSmall.vpcep.cpuUs, 0)} µs/req while the baselines moved ${(listSmall.verify.rps / listLarge.verify.rps).toFixed(2)}×)`,
    ])
  }
  facts.push([`Peak RSS of the server with ${LARGE.toLocaleString('en-US')} endpoints`, `${peakRssMb(server.pid).toFixed(0)} MB (VmHWM after the list row)`])
  await server.stop()
}

async function postgresRows(): Promise<void> {
  if (!findPostgresBin()) {
    facts.push(['PostgreSQL rows', 'skipped: PostgreSQL server binaries are not installed (apt-get install postgresql)'])
    return
  }
  log('PostgreSQL: starting a durable cluster (fsync on)')
  const cluster = await startDurableCluster()
  cleanups.push(() => cluster.stop())
  const admin = new pg.Client({ connectionString: cluster.url })
  await admin.connect()
  await admin.query('CREATE DATABASE vpcep_bench')
  await admin.end()
  const url = new URL(cluster.url)
  url.pathname = '/vpcep_bench'
  const databaseUrl = url.toString()
  const { provider, consumer } = await createAccounts(databaseUrl)
  const a = await startVpcep(databaseUrl)
  log('PostgreSQL: seeding through the API')
  const world = await seedThroughApi(a, provider, consumer, 2 * VARIANTS)
  const b = await startVpcep(databaseUrl)
  await warmUp(a, getServiceRequests(a, world))
  await warmUp(b, getServiceRequests(b, world))
  await startBaselines([keyOf(provider), keyOf(consumer)], [])
  facts.push(['PostgreSQL', `${cluster.version}, fsync=on, synchronous_commit=on; ${world.endpointIds.length} endpoints seeded through the API`])

  const decisions = async () => {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      const result = await client.query(`select count(*)::int as n from events where type in ('connection.accepted', 'connection.rejected')`)
      return result.rows[0].n as number
    } finally {
      await client.end()
    }
  }
  // The database server's own CPU per request (postmaster and its backends), beside vpcep's.
  const postmaster = Number(fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])
  const pgRow = async (measure: () => Promise<Row>): Promise<Row> => {
    const before = cpuMs(postmaster)
    const row = await measure()
    const used = cpuMs(postmaster) - before
    row.note = [row.note, `PostgreSQL server ${fmt((used * 1000) / (row.vpcep.count + row.vpcep.warmupCount), 0)} µs CPU/req`].filter(Boolean).join('; ')
    return row
  }
  const changed = (before: number) => async () => `${(await decisions()) - before} state changes committed (warm-up included)`
  if (wantedOnPg('get') || wantedOnPg('workers')) {
    const one = await pgRow(() => measureRow('PostgreSQL: GET endpoint service, AK/SK, 1 instance', [{ url: a.url, pid: a.pid, requests: getServiceRequests(a, world) }]))
    if (wantedOnPg('workers')) {
      const two = await startVpcep(databaseUrl, { workers: 2 })
      await warmUp(two, getServiceRequests(two, world))
      const workers = await pgRow(() => measureRow('PostgreSQL: GET endpoint service, AK/SK, 2 workers', [{ url: two.url, pid: two.pid, requests: getServiceRequests(two, world) }]))
      await two.stop()
      workers.note = `${workers.note}; ${coresNote(workers, one)}; the two 1-process instances idle meanwhile`
      aim(workers, '≥ 1.3× the 1-instance row', (r) => r.vpcep.rps >= 1.3 * one.vpcep.rps)
      facts.push(['PostgreSQL: 2 workers vs 1 instance', `${(workers.vpcep.rps / one.vpcep.rps).toFixed(2)}× req/s (${fmt(workers.vpcep.rps, 0)} vs ${fmt(one.vpcep.rps, 0)}); CPU ${fmt(workers.vpcep.cpuUs, 0)} vs ${fmt(one.vpcep.cpuUs, 0)} µs/req`])
    }
    await pgRow(() => measureRow('PostgreSQL: GET endpoint service, AK/SK, 2 instances', [
      { url: a.url, pid: a.pid, requests: getServiceRequests(a, world) },
      { url: b.url, pid: b.pid, requests: getServiceRequests(b, world) },
    ], 'one load process per instance, 25 connections each; baselines: one bare server, 50 connections'))
  }
  const half = world.endpointIds.slice(0, VARIANTS)
  const otherHalf = world.endpointIds.slice(VARIANTS, 2 * VARIANTS)
  if (wantedOnPg('decide')) {
    let before = await decisions()
    const decided = await pgRow(() => measureRow('PostgreSQL: accept/reject connection, 1 instance', [{ url: a.url, pid: a.pid, requests: decisionRequests(a, world, half) }], undefined, changed(before)))
    aim(decided, '≥ 2,000 req/s, durable', (r) => r.vpcep.rps >= 2000 && r.vpcep.non2xx === 0)
    before = await decisions()
    await pgRow(() => measureRow('PostgreSQL: accept/reject connection, 2 instances', [
      { url: a.url, pid: a.pid, requests: decisionRequests(a, world, half) },
      { url: b.url, pid: b.pid, requests: decisionRequests(b, world, otherHalf) },
    ], 'each instance decides its own 400 endpoints', changed(before)))
  }
  if (wantedOnPg('webhooks')) {
    log('PostgreSQL: webhook delivery, 2 instances')
    const figures = await measureDelivery((m, p, body) => call(a, keyOf(provider), m, p, body), provider.projectId, world.serviceId, half)
    facts.push(['PostgreSQL: webhook delivery of connection decisions (2 instances dispatching and delivering, API calls to one)', describeDelivery(figures)])
  }
  await a.stop()
  await b.stop()
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  // Secret keys are sealed at rest; PostgreSQL needs the key given (every instance, and the seeding here).
  process.env.VPCEP_MASTER_KEY ??= randomBytes(32).toString('hex')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-bench-'))
  if (process.env.BENCH_KEEP === '1') log(`keeping ${dir}`)
  else cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  const started = performance.now()
  let cpu = os.cpus()[0]?.model ?? 'unknown'
  try {
    cpu = execFileSync('nproc', { encoding: 'utf8' }).trim() + ` × ${cpu}`
  } catch {}
  facts.push(['Machine', `${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`])
  facts.push(['Load', `autocannon in separate processes, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per measurement; each row cycles through ≥ ${VARIANTS} distinct pre-signed requests (distinct X-Sdk-Date), verified in full by the server`])
  await sqliteRows(dir)
  if (process.env.BENCH_SKIP_PG !== '1' && wanted('pg')) await postgresRows()
  const dataplane = wanted('dataplane') ? await dataplaneRows(dir) : undefined
  facts.push(['Whole run', `${((performance.now() - started) / 1000).toFixed(0)} s`])
  printTable()
  if (dataplane) process.stdout.write(`\n${dataplane}\n`)
}

async function cleanup(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  for (const step of cleanups.reverse()) {
    try {
      await step()
    } catch {}
  }
}

process.on('SIGINT', () => void cleanup().then(() => process.exit(130)))
try {
  await main()
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`)
  process.exitCode = 1
} finally {
  await cleanup()
}
