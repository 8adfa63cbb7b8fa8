import fs from 'node:fs'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { loadConfig, type Config, type SecuritySettings } from '../../src/config.ts'
import { openStore, type Store } from '../../src/store/database.ts'
import { buildApp, type App, type AppDeps } from '../../src/app.ts'
import { createAccount, type NewAccount } from '../../src/identity/accounts.ts'
import { systemClock, type Clock } from '../../src/domain/clock.ts'
import { loadCatalog, publishCatalog } from '../../src/domain/catalog.ts'

export type DialectName = 'sqlite' | 'postgres'

/** The databases every storage and API test runs on: SQLite, and PostgreSQL when the runner started a cluster. */
export function dialects(): DialectName[] {
  return process.env.VPCEP_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite']
}

/** A fresh, empty database of `dialect` and its URL. */
export async function freshDatabaseUrl(dialect: DialectName): Promise<string> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-test-'))
    return `sqlite:${path.join(dir, 'vpcep.db')}`
  }
  const adminUrl = process.env.VPCEP_TEST_PG_URL
  if (!adminUrl) throw new Error('VPCEP_TEST_PG_URL is not set; run the suite through scripts/run-tests.mjs')
  const name = `vpcep_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** A `security` override for startServer: the defaults with `changes` on top. */
export function security(changes: Partial<SecuritySettings>): Pick<Config, 'security'> {
  return { security: { ...loadConfig({}).security, ...changes } }
}

export interface TestServer {
  url: string
  config: Config
  store: Store
  app: App
  account(name: string): Promise<NewAccount>
  /** Stops the server; the database stays, for restart tests. */
  stop(): Promise<void>
}

let accountCounter = 0

/** Starts the real server on 127.0.0.1 (a free port) over `databaseUrl`, with logging off unless `logger` says otherwise. */
export async function startServer(databaseUrl: string, overrides: Partial<Config> = {}, clock: Clock = systemClock, logger: AppDeps['logger'] = false): Promise<TestServer> {
  const config: Config = { ...loadConfig({ VPCEP_DATABASE_URL: databaseUrl }), port: 0, logLevel: 'silent', ...overrides }
  // One delay given: it applies to both resource types, as VPCEP_PROVISION_DELAY_MS does.
  if (overrides.provisionDelayMs !== undefined && overrides.provisionDelays === undefined) {
    config.provisionDelays = { endpointService: overrides.provisionDelayMs, endpoint: overrides.provisionDelayMs }
  }
  const store = await openStore(databaseUrl)
  await publishCatalog(store, clock, config.region, loadCatalog(config.publicServicesFile))
  const app = buildApp({ config, store, clock, logger })
  app.reconciler.start()
  app.events.start()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    store,
    app,
    account: (name) => createAccount(store, clock, config.region, `${name}${++accountCounter}x${process.pid}`),
    async stop() {
      await app.close()
      await store.close()
    },
  }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
