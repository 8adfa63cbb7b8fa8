// `node --import tsx bench/pg-statements.ts [count]`: what one accept/reject costs PostgreSQL in statements.
// Starts the benchmark's durable cluster and a vpcep server in this process, seeds a service with `count`
// endpoints awaiting acceptance through the API, then turns on `log_statement = all` and sends the
// decisions one at a time (receive, then reject), and prints the statements the server logged for the
// last decision with the number per request. Each logged statement is one round trip (node-postgres sends
// parse, bind and execute together, BEGIN and COMMIT are statements of their own).
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { loadConfig, type Config } from '../src/config.ts'
import { openStore } from '../src/store/database.ts'
import { buildApp } from '../src/app.ts'
import { createAccount } from '../src/identity/accounts.ts'
import { systemClock } from '../src/domain/clock.ts'
import { startDurableCluster } from './pg.ts'
import { sign, type Key } from './signing.ts'

const COUNT = Number(process.argv[2] ?? 3)
const REGION = 'cn-north-4'
process.env.VPCEP_MASTER_KEY ??= randomBytes(32).toString('hex')

const cluster = await startDurableCluster()
try {
  const admin = new pg.Client({ connectionString: cluster.url })
  await admin.connect()
  await admin.query('CREATE DATABASE vpcep_trace')
  const url = new URL(cluster.url)
  url.pathname = '/vpcep_trace'
  const config: Config = { ...loadConfig({ VPCEP_DATABASE_URL: url.toString() }), port: 0, logLevel: 'silent', region: REGION }
  const store = await openStore(url.toString())
  const app = buildApp({ config, store, clock: systemClock, logger: false })
  app.reconciler.start()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const host = `127.0.0.1:${(app.server.server.address() as AddressInfo).port}`
  const provider = await createAccount(store, systemClock, REGION, 'traceprovider')
  const consumer = await createAccount(store, systemClock, REGION, 'traceconsumer')
  const p: Key = { accessKey: provider.accessKey, secretKey: provider.secretKey, projectId: provider.projectId }
  const c: Key = { accessKey: consumer.accessKey, secretKey: consumer.secretKey, projectId: consumer.projectId }
  const call = async (key: Key, method: string, pathAndQuery: string, body?: unknown) => {
    const request = sign(key, host, method, pathAndQuery, body, new Date())
    const { host: _host, ...headers } = request.headers
    const response = await fetch(`http://${host}${request.path}`, { method, headers, body: request.body })
    const text = await response.text()
    if (response.status >= 300) throw new Error(`${method} ${pathAndQuery} answered ${response.status}: ${text}`)
    return text ? JSON.parse(text) : undefined
  }
  const until = async (probe: () => Promise<boolean>) => {
    while (!(await probe())) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const service = await call(p, 'POST', `/v1/${p.projectId}/vpc-endpoint-services`, {
    port_id: randomUUID(), vpc_id: randomUUID(), server_type: 'VM', approval_enabled: true, ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }],
  })
  await until(async () => (await call(p, 'GET', `/v1/${p.projectId}/vpc-endpoint-services/${service.id}`)).status === 'available')
  await call(p, 'POST', `/v1/${p.projectId}/vpc-endpoint-services/${service.id}/permissions/action`, { permissions: [`iam:domain::${consumer.domainId}`], action: 'add' })
  const ids: string[] = []
  for (let i = 0; i < COUNT; i++) {
    ids.push((await call(c, 'POST', `/v1/${c.projectId}/vpc-endpoints`, { endpoint_service_id: service.id, vpc_id: randomUUID(), subnet_id: randomUUID(), tags: [{ key: 'k', value: 'v' }] })).id)
  }
  await until(async () => (await call(p, 'GET', `/v1/${p.projectId}/vpc-endpoint-services/${service.id}/connections?status=pendingAcceptance`)).total_count === COUNT)
  await app.reconciler.stop()

  const log = path.join(cluster.dir, 'server.log')
  await admin.query(`ALTER SYSTEM SET log_statement = 'all'`)
  await admin.query(`ALTER SYSTEM SET log_line_prefix = '[%p] '`)
  await admin.query('SELECT pg_reload_conf()')
  await new Promise((resolve) => setTimeout(resolve, 200))
  const decide = `/v1/${p.projectId}/vpc-endpoint-services/${service.id}/connections/action`
  let last: string[] = []
  for (const action of ['receive', 'reject']) {
    for (const id of ids) {
      const before = fs.statSync(log).size
      await call(p, 'POST', decide, { action, endpoints: [id] })
      await new Promise((resolve) => setTimeout(resolve, 50))
      const text = fs.readFileSync(log, 'utf8').slice(before)
      last = text.split('\n').filter((line) => /LOG:\s+(statement|execute)/.test(line))
      process.stdout.write(`${action} ${id}: ${last.length} statements\n`)
    }
  }
  process.stdout.write(`\nThe last decision, as PostgreSQL logged it:\n${last.map((l) => `  ${l.slice(0, 400)}`).join('\n')}\n`)
  await admin.end()
  await app.close()
  await store.close()
} finally {
  cluster.stop()
}
