/*
 * Soak: a bounded mixed workload against a real server process, then a consistency check.
 *
 *   node --import tsx bench/soak.ts [--seconds 600] [--workers 8] [--database sqlite|postgres]
 *
 * Two accounts (a provider and a consumer) drive every kind of operation for the given time. The script
 * samples the server's resident memory, counts answers by status, keeps a model of what the clients were
 * told, and at the end compares the database (through the API) with that model. It exits non-zero on any
 * 5xx, on an inconsistency, or when memory keeps growing.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes, randomUUID } from 'node:crypto'
import { VpcepClient } from '../src/client/client.ts'
import { VpcepApiError } from '../src/client/errors.ts'
import { openStore } from '../src/store/database.ts'
import { createAccount, type NewAccount } from '../src/identity/accounts.ts'
import { systemClock } from '../src/domain/clock.ts'
import { startCluster, type Cluster } from '../scripts/pg-cluster.mjs'

const args = new Map<string, string>()
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '')
const SECONDS = Number(args.get('seconds') ?? 600)
const WORKERS = Number(args.get('workers') ?? 8)
const DATABASE = args.get('database') ?? 'sqlite'
const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'

const statusCounts = new Map<string, number>()
const fiveHundreds: string[] = []
function count(status: number, what: string): void {
  const key = `${Math.floor(status / 100)}xx`
  statusCounts.set(key, (statusCounts.get(key) ?? 0) + 1)
  if (status >= 500) fiveHundreds.push(`${status} ${what}`)
}

const REFUSED = Symbol('refused')

/** Runs one call and counts its answer; REFUSED when the API said no (or did not answer). */
async function call<T>(what: string, work: () => Promise<T>): Promise<T | typeof REFUSED> {
  try {
    const result = await work()
    count(200, what)
    return result
  } catch (error) {
    if (error instanceof VpcepApiError) count(error.status, `${what}: ${error.errorCode} ${error.errorMsg}`)
    else count(599, `${what}: ${(error as Error).message}`)
    return REFUSED
  }
}

/** What the clients were told: the model the database must agree with at the end. */
const model = {
  services: new Map<string, { deleted: boolean }>(),
  endpoints: new Map<string, { serviceId: string; deleted: boolean; decision?: 'accepted' | 'rejected' }>(),
  permissions: new Map<string, Map<string, string>>(),
}

async function startServerProcess(env: Record<string, string>): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, ...env, VPCEP_PORT: '0', VPCEP_LOG_LEVEL: 'info', VPCEP_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) resolve(match[1]!)
    })
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)))
  })
  child.stdout.resume()
  return { url, pid: child.pid!, stop: () => new Promise((resolve) => { child.on('exit', () => resolve()); child.kill('SIGTERM') }) }
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)]

async function worker(provider: VpcepClient, consumer: VpcepClient, consumerDomain: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const liveServices = [...model.services].filter(([, s]) => !s.deleted).map(([id]) => id)
    const liveEndpoints = [...model.endpoints].filter(([, e]) => !e.deleted).map(([id, e]) => ({ id, ...e }))
    const roll = Math.random()
    if (roll < 0.08 && liveServices.length < 15) {
      const created = await call('create service', () => provider.services.create({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }], tags: [{ key: 'soak', value: 'yes' }] }))
      if (created !== REFUSED) {
        model.services.set(created.id, { deleted: false })
        model.permissions.set(created.id, new Map())
      }
    } else if (roll < 0.2 && liveServices.length > 0) {
      const serviceId = pick(liveServices)!
      const added = await call('batch-create', () => provider.permissions.batchCreate(serviceId, [{ permission: `iam:domain::${consumerDomain}`, description: 'consumer' }, { permission: `iam:domain::${randomBytes(8).toString('hex')}` }]))
      if (added !== REFUSED) for (const p of added.permissions) model.permissions.get(serviceId)?.set(p.id, p.permission)
    } else if (roll < 0.27 && liveServices.length > 0) {
      const serviceId = pick(liveServices)!
      const records = [...(model.permissions.get(serviceId) ?? new Map())].filter(([, p]) => !p.endsWith(consumerDomain)).slice(0, 3)
      if (records.length > 0) {
        const removed = await call('batch-delete', () => provider.permissions.batchDelete(serviceId, records.map(([id]) => id)))
        if (removed !== REFUSED) for (const p of removed.permissions) model.permissions.get(serviceId)?.delete(p.id)
      }
    } else if (roll < 0.42 && liveServices.length > 0 && liveEndpoints.length < 40) {
      const serviceId = pick(liveServices)!
      const endpoint = await call('create endpoint', () => consumer.endpoints.create({ endpoint_service_id: serviceId, vpc_id: VPC, subnet_id: randomUUID() }))
      if (endpoint !== REFUSED) model.endpoints.set(endpoint.id, { serviceId, deleted: false })
    } else if (roll < 0.6 && liveEndpoints.length > 0) {
      const endpoint = pick(liveEndpoints)!
      const action = Math.random() < 0.6 ? 'receive' : 'reject'
      const decided = await call('accept/reject', () => provider.connections.action(endpoint.serviceId, action, endpoint.id))
      if (decided !== REFUSED) model.endpoints.get(endpoint.id)!.decision = action === 'receive' ? 'accepted' : 'rejected'
    } else if (roll < 0.66 && liveEndpoints.length > 0) {
      const endpoint = pick(liveEndpoints)!
      if ((await call('delete endpoint', () => consumer.endpoints.delete(endpoint.id))) !== REFUSED) model.endpoints.get(endpoint.id)!.deleted = true
    } else if (roll < 0.69 && liveServices.length > 3) {
      const serviceId = pick(liveServices)!
      // Refused (EndPoint.3006) while a connection is accepted; the model follows what the server said.
      if ((await call('delete service', () => provider.services.delete(serviceId))) !== REFUSED) {
        model.services.get(serviceId)!.deleted = true
        for (const e of model.endpoints.values()) if (e.serviceId === serviceId) e.deleted = true
      }
    } else if (roll < 0.75 && liveServices.length > 0) {
      const serviceId = pick(liveServices)!
      await call('tag', () => provider.tags.action('endpoint_service', serviceId, 'create', [{ key: `k${Math.floor(Math.random() * 5)}`, value: 'v' }]))
    } else {
      const read = Math.floor(Math.random() * 5)
      if (read === 0) await call('list services', () => provider.services.list({ limit: 100 }))
      if (read === 1) await call('list endpoints', () => consumer.endpoints.list({ limit: 100 }))
      if (read === 2 && liveServices.length > 0) await call('list connections', () => provider.connections.list(pick(liveServices)!, { limit: 100 }))
      if (read === 3 && liveServices.length > 0) await call('list whitelist', () => provider.permissions.list(pick(liveServices)!, { limit: 500 }))
      if (read === 4) await call('quotas', () => consumer.quotas())
    }
  }
}

/** Least-squares slope of (minute, MB) samples. */
function slope(samples: Array<[number, number]>): number {
  const n = samples.length
  const mx = samples.reduce((a, [x]) => a + x, 0) / n
  const my = samples.reduce((a, [, y]) => a + y, 0) / n
  const num = samples.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  const den = samples.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  return den === 0 ? 0 : num / den
}

async function main(): Promise<void> {
  let cluster: Cluster | undefined
  let databaseUrl: string
  const env: Record<string, string> = { VPCEP_QUOTA_ENDPOINT_SERVICES: '1000', VPCEP_QUOTA_ENDPOINTS: '1000' }
  if (DATABASE === 'postgres') {
    cluster = await startCluster()
    databaseUrl = cluster.url
    env.VPCEP_MASTER_KEY = randomBytes(32).toString('hex')
    process.env.VPCEP_MASTER_KEY = env.VPCEP_MASTER_KEY
  } else {
    databaseUrl = `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-soak-')), 'vpcep.db')}`
  }
  env.VPCEP_DATABASE_URL = databaseUrl
  const store = await openStore(databaseUrl)
  const accounts: NewAccount[] = [await createAccount(store, systemClock, 'cn-north-4', 'soakprovider'), await createAccount(store, systemClock, 'cn-north-4', 'soakconsumer')]
  await store.close()
  const server = await startServerProcess(env)
  const client = (a: NewAccount) => new VpcepClient({ endpoint: server.url, projectId: a.projectId, auth: { kind: 'aksk', accessKey: a.accessKey, secretKey: a.secretKey } })
  const [provider, consumer] = [client(accounts[0]!), client(accounts[1]!)]

  const started = Date.now()
  const memory: Array<[number, number]> = []
  const heap: Array<[number, number]> = []
  const sampler = setInterval(async () => {
    const minute = (Date.now() - started) / 60000
    memory.push([minute, rssMb(server.pid)])
    const text = await (await fetch(`${server.url}/metrics`)).text()
    const used = /^vpcep_process_nodejs_heap_size_used_bytes (\d+)/m.exec(text)
    if (used) heap.push([minute, Number(used[1]) / 1048576])
  }, 5000)
  const progress = setInterval(() => {
    const total = [...statusCounts.values()].reduce((a, b) => a + b, 0)
    process.stderr.write(`\r${Math.round((Date.now() - started) / 1000)} s, ${total} requests, ${fiveHundreds.length} 5xx, RSS ${rssMb(server.pid).toFixed(0)} MB   `)
  }, 2000)
  const deadline = started + SECONDS * 1000
  await Promise.all(Array.from({ length: WORKERS }, () => worker(provider, consumer, accounts[1]!.domainId, deadline)))
  clearInterval(sampler)
  clearInterval(progress)
  process.stderr.write('\n')

  // Let every pending transition land, then compare the server's view with what clients were told.
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const problems: string[] = []
  const services = (await provider.services.list({ limit: 1000 })).endpoint_services
  const serviceIds = new Set(services.map((s) => s.id))
  for (const [id, s] of model.services) {
    if (s.deleted && serviceIds.has(id)) problems.push(`service ${id} was deleted but still exists`)
    if (!s.deleted && !serviceIds.has(id)) problems.push(`service ${id} was acknowledged but is missing`)
  }
  const endpoints = (await consumer.endpoints.list({ limit: 1000 })).endpoints
  const endpointById = new Map(endpoints.map((e) => [e.id, e]))
  for (const [id, e] of model.endpoints) {
    const actual = endpointById.get(id)
    if (e.deleted && actual) problems.push(`endpoint ${id} was deleted but still exists (${actual.status})`)
    if (!e.deleted && !actual) problems.push(`endpoint ${id} was acknowledged but is missing`)
    if (!e.deleted && actual && e.decision && actual.status !== e.decision) problems.push(`endpoint ${id} is ${actual.status}, the last decision said ${e.decision}`)
  }
  for (const [serviceId, records] of model.permissions) {
    if (model.services.get(serviceId)?.deleted) continue
    const listed = new Set((await provider.permissions.list(serviceId, { limit: 500 })).permissions.map((p) => p.id))
    for (const id of records.keys()) if (!listed.has(id)) problems.push(`whitelist record ${id} of ${serviceId} is missing`)
    for (const id of listed) if (!records.has(id)) problems.push(`whitelist record ${id} of ${serviceId} was removed but still listed`)
  }
  const rss = rssMb(server.pid)
  await server.stop()
  cluster?.stop()

  // A leak shows as a rising floor: the heap's lowest point per minute (after collections) keeps climbing.
  const floors = new Map<number, number>()
  for (const [minute, mb] of heap) floors.set(Math.floor(minute), Math.min(floors.get(Math.floor(minute)) ?? Infinity, mb))
  const floorSamples = [...floors].map(([minute, mb]) => [minute, mb] as [number, number])
  const secondHalf = floorSamples.filter(([minute]) => minute >= SECONDS / 120)
  const growth = slope(secondHalf.length > 2 ? secondHalf : floorSamples)
  const total = [...statusCounts.values()].reduce((a, b) => a + b, 0)
  const memoryStable = growth < 0.5
  const report = [
    `soak: ${SECONDS} s, ${WORKERS} workers, ${DATABASE}, node ${process.version}, ${os.cpus().length} cores`,
    `requests: ${total} (${(total / SECONDS).toFixed(0)}/s) — ${[...statusCounts].sort().map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    `5xx: ${fiveHundreds.length}${fiveHundreds.length ? ` (first: ${fiveHundreds[0]})` : ''}`,
    `memory: RSS MB first ${memory[0]?.[1].toFixed(1) ?? '-'}, max ${Math.max(...memory.map(([, y]) => y)).toFixed(1)}, last ${rss.toFixed(1)}`,
    `heap used, lowest per minute (MB): ${floorSamples.map(([, mb]) => mb.toFixed(1)).join(' ')}`,
    `heap floor trend over the second half: ${growth.toFixed(2)} MB/min → ${memoryStable ? 'stable (no growth trend)' : 'GROWING'}`,
    `model at the end: ${[...model.services.values()].filter((x) => !x.deleted).length} services, ${[...model.endpoints.values()].filter((x) => !x.deleted).length} endpoints live (${model.services.size} and ${model.endpoints.size} created in all)`,
    `consistency: ${problems.length === 0 ? 'the database agrees with every acknowledged answer' : `${problems.length} problems:\n  ${problems.slice(0, 20).join('\n  ')}`}`,
  ]
  console.log(report.join('\n'))
  process.exit(fiveHundreds.length === 0 && problems.length === 0 && memoryStable ? 0 : 1)
}

await main()
