// In-process cost of one signed `GET /v1/{project_id}/vpc-endpoints?limit=100` through the whole pipeline
// (Fastify's inject, no sockets), with 1,000 and then 100,000 endpoints in the project: a quick,
// repeatable before/after for the list, next to `npm run bench`'s end-to-end rows. The endpoints are made
// as the benchmark makes them: a few through the API (tagged, approval required, so they wait in
// pendingAcceptance), the rest copies inserted straight into the SQLite file (bench/sqlite-fill.ts).
// Usage: node --import tsx bench/micro-list.ts [requests per size] [sizes, comma-separated]
// (add --cpu-prof to profile; BENCH_KEEP=1 keeps the database and prints where).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import SqliteDatabase from 'better-sqlite3'
import { loadConfig } from '../src/config.ts'
import { openStore } from '../src/store/database.ts'
import { buildApp } from '../src/app.ts'
import { createAccount } from '../src/identity/accounts.ts'
import { systemClock } from '../src/domain/clock.ts'
import { sign, variants, type Key } from './signing.ts'
import { bulkInsertSqlite, invisibleChange } from './sqlite-fill.ts'
import fastJsonStringify from 'fast-json-stringify'
import { listOwnEndpoints } from '../src/store/repos/endpoint-pages.ts'
import { ListEndpointsResponse, toWireEndpoint } from '../src/api/schemas/endpoints.ts'

const REQUESTS = Number(process.argv[2] ?? 2000)
const SIZES = (process.argv[3] ?? '1000,100000').split(',').map(Number)
const THROUGH_API = 20
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-micro-list-'))
const file = path.join(dir, 'vpcep.db')
const databaseUrl = `sqlite:${file}`
const config = loadConfig({ ...process.env, VPCEP_DATABASE_URL: databaseUrl, VPCEP_LOG_LEVEL: 'silent', VPCEP_PROVISION_DELAY_MS: '0' })
const store = await openStore(databaseUrl)
const provider = await createAccount(store, systemClock, config.region, 'microprovider')
const consumer = await createAccount(store, systemClock, config.region, 'microconsumer')
const app = buildApp({ config, store })
const host = 'vpcep.local'
const keyOf = (account: typeof provider): Key => ({ accessKey: account.accessKey, secretKey: account.secretKey, projectId: account.projectId })

/** A signed request as Fastify's inject takes it. */
function signed(key: Key, method: string, url: string, body: unknown, date: Date) {
  const request = sign(key, host, method, url, body, date)
  return { method: method as 'GET', url, headers: request.headers, payload: request.body }
}

async function call(key: Key, method: string, url: string, body?: unknown) {
  const response = await app.server.inject(signed(key, method, url, body, new Date()))
  if (response.statusCode !== 200) throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body}`)
  return response.json()
}

const p = keyOf(provider)
const c = keyOf(consumer)
app.reconciler.start()
const service = await call(p, 'POST', `/v1/${p.projectId}/vpc-endpoint-services`, {
  port_id: randomUUID(), vpc_id: randomUUID(), server_type: 'VM', approval_enabled: true, description: 'benchmark service',
  ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }], tags: [{ key: 'team', value: 'bench' }],
})
const until = async (what: string, done: () => Promise<boolean>) => {
  for (let i = 0; i < 500; i++) {
    if (await done()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}
await until('the service to become available', async () => (await call(p, 'GET', `/v1/${p.projectId}/vpc-endpoint-services/${service.id}`)).status === 'available')
await call(p, 'POST', `/v1/${p.projectId}/vpc-endpoint-services/${service.id}/permissions/action`, { permissions: [`iam:domain::${consumer.domainId}`], action: 'add' })
const subnet = randomUUID()
for (let i = 0; i < THROUGH_API; i++) {
  await call(c, 'POST', `/v1/${c.projectId}/vpc-endpoints`, {
    endpoint_service_id: service.id, vpc_id: randomUUID(), subnet_id: subnet, description: 'benchmark endpoint', tags: [{ key: 'team', value: 'bench' }],
  })
}
await until('the endpoints to await acceptance', async () => {
  const page = await call(p, 'GET', `/v1/${p.projectId}/vpc-endpoint-services/${service.id}/connections?status=pendingAcceptance&limit=1`)
  return page.total_count >= THROUGH_API
})
await app.reconciler.stop()

const requests = variants(400, (date) => signed(c, 'GET', `/v1/${c.projectId}/vpc-endpoints?limit=100`, undefined, date))

// Another connection's commit (as the CLI's would be) before each cold request: nothing remembered holds.
const otherConnection = new SqliteDatabase(file)
const touch = invisibleChange(otherConnection)

/** Mean CPU µs of one list request; `cold`: the database changed just before each (the change is not counted). */
async function run(count: number, cold: boolean): Promise<number> {
  let used = 0
  for (let i = 0; i < count; i++) {
    if (cold) touch()
    const started = process.cpuUsage()
    const response = await app.server.inject(requests[i % requests.length]!)
    const spent = process.cpuUsage(started)
    used += spent.user + spent.system
    if (response.statusCode !== 200) throw new Error(`list answered ${response.statusCode}: ${response.body}`)
  }
  return used / count
}

for (const size of SIZES) {
  bulkInsertSqlite(file, c.projectId, size)
  const first = (await app.server.inject(requests[0]!)).json()
  if (first.total_count !== size || first.endpoints.length !== 100) throw new Error(`expected 100 of ${size}, got ${first.endpoints.length} of ${first.total_count}`)
  for (const cold of [false, true]) {
    await run(Math.min(REQUESTS, 1000), cold) // warm-up: JIT and statement caches
    // Rounds, and their fastest: other work on the machine only ever adds time.
    const rounds = Array.from({ length: 5 }, () => 0)
    for (let i = 0; i < rounds.length; i++) rounds[i] = await run(Math.ceil(REQUESTS / rounds.length), cold)
    const sorted = [...rounds].sort((a, b) => a - b)
    const kind = cold ? 'cold (the database changed before each)' : 'repeated (database unchanged)'
    process.stdout.write(`list limit=100 of ${size} endpoints in process (inject), ${kind}: ${sorted[0]!.toFixed(0)} µs CPU per request at best, median ${sorted[2]!.toFixed(0)} (5 rounds, ${REQUESTS} requests)\n`)
  }
}
// Where one request's time goes, part by part, on the same page: each part alone, many times over.
const dnsZone = `vpcep.${config.region}.internal`
const scope = { accountId: consumer.domainId, projectId: c.projectId }
const page = { limit: 100, offset: 0, sortKey: 'create_at', sortDir: 'desc' } as const
const serialize = fastJsonStringify(ListEndpointsResponse as unknown as fastJsonStringify.AnySchema)
/** Best of five rounds of `work`'s mean CPU; `before` runs ahead of each call, outside the measurement. */
async function part(name: string, count: number, work: () => unknown, before?: () => void): Promise<void> {
  for (let i = 0; i < 200; i++) await work()
  let best = Infinity
  for (let round = 0; round < 5; round++) {
    let used = 0
    for (let i = 0; i < count; i++) {
      before?.()
      const started = process.cpuUsage()
      await work()
      const spent = process.cpuUsage(started)
      used += spent.user + spent.system
    }
    best = Math.min(best, used / count)
  }
  process.stdout.write(`  ${name}: ${best.toFixed(0)} µs CPU at best of 5 rounds\n`)
}
const sample = await listOwnEndpoints(store, scope, {}, page, dnsZone)
const wire = { endpoints: sample.items.map((e) => toWireEndpoint(e, 'pool')), total_count: sample.totalCount }
process.stdout.write(`where a 100-row page's time goes (last size, in process; the answer is ${serialize(wire).length} bytes):\n`)
await part('the page read (database unchanged)', 1000, () => listOwnEndpoints(store, scope, {}, page, dnsZone))
await part('the page read, cold (the database changed before each)', 500, () => listOwnEndpoints(store, scope, {}, page, dnsZone), touch)
await part('the wire shape of 100 endpoints (toWireEndpoint)', 1000, () => sample.items.map((e) => toWireEndpoint(e, 'pool')))
await part('serializing the answer (fast-json-stringify, the route\'s schema)', 1000, () => serialize(wire))
await part('serializing the answer with JSON.stringify, for comparison', 1000, () => JSON.stringify(wire))
otherConnection.close()
await app.close()
await store.close()
if (process.env.BENCH_KEEP === '1') process.stdout.write(`database kept: ${file} (consumer project ${c.projectId})\n`)
else fs.rmSync(dir, { recursive: true, force: true })
