// In-process cost of one signed GET of an endpoint service through the whole pipeline (Fastify's inject,
// no sockets): a quick, repeatable figure for working on the hot path, next to `npm run bench`'s
// end-to-end rows. Usage: node --import tsx bench/micro-get.ts [requests] (add --cpu-prof to profile).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { loadConfig } from '../src/config.ts'
import { openStore } from '../src/store/database.ts'
import { buildApp } from '../src/app.ts'
import { createAccount } from '../src/identity/accounts.ts'
import { systemClock } from '../src/domain/clock.ts'
import { sign, variants } from './signing.ts'

const REQUESTS = Number(process.argv[2] ?? 20_000)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-micro-'))
const databaseUrl = `sqlite:${path.join(dir, 'vpcep.db')}`
const config = loadConfig({ ...process.env, VPCEP_DATABASE_URL: databaseUrl, VPCEP_LOG_LEVEL: 'silent', VPCEP_PROVISION_DELAY_MS: '0' })
const store = await openStore(databaseUrl)
const account = await createAccount(store, systemClock, config.region, 'micro')
const app = buildApp({ config, store })
const host = 'vpcep.local'

const key = { accessKey: account.accessKey, secretKey: account.secretKey, projectId: account.projectId }
/** A signed request as Fastify's inject takes it. */
function signed(method: string, url: string, body: unknown, date: Date) {
  const request = sign(key, host, method, url, body, date)
  return { method: method as 'GET', url, headers: request.headers, payload: request.body }
}

const base = `/v1/${account.projectId}/vpc-endpoint-services`
const created = await app.server.inject(
  signed('POST', base, { port_id: randomUUID(), vpc_id: randomUUID(), server_type: 'VM', approval_enabled: true, ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }], tags: [{ key: 'team', value: 'bench' }] }, new Date()),
)
if (created.statusCode !== 200) throw new Error(`create answered ${created.statusCode}: ${created.body}`)
const serviceUrl = `${base}/${created.json().id}`
const requests = variants(400, (date) => signed('GET', serviceUrl, undefined, date))

async function run(count: number): Promise<number> {
  const started = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const response = await app.server.inject(requests[i % requests.length]!)
    if (response.statusCode !== 200) throw new Error(`GET answered ${response.statusCode}: ${response.body}`)
  }
  const used = process.cpuUsage(started)
  return (used.user + used.system) / count
}

await run(Math.min(REQUESTS, 5000)) // warm-up: JIT and statement caches
// Rounds, and their fastest: other work on the machine only ever adds time.
const rounds = Array.from({ length: 5 }, () => 0)
for (let i = 0; i < rounds.length; i++) rounds[i] = await run(Math.ceil(REQUESTS / rounds.length))
const sorted = [...rounds].sort((a, b) => a - b)
process.stdout.write(`signed GET in process (inject): ${sorted[0]!.toFixed(1)} µs CPU per request at best, median ${sorted[2]!.toFixed(1)} (5 rounds, ${REQUESTS} requests)\n`)
await app.close()
await store.close()
fs.rmSync(dir, { recursive: true, force: true })
