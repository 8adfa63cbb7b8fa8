import { loadConfig, ConfigError, type Config } from './config.ts'
import { openStore, type Store } from './store/database.ts'
import { buildApp } from './app.ts'
import { AccountExistsError, countAccounts, createAccount, type NewAccount } from './identity/accounts.ts'
import { systemClock } from './domain/clock.ts'
import { loadCatalog, publishCatalog } from './domain/catalog.ts'
import { demoAccountFile, writeDemoAccount } from './demo-account.ts'
import { accountWire } from './identity/accounts.ts'
import { startEmbeddedDataplane } from './dataplane/index.ts'
import { runWorkers } from './workers/primary.ts'
import { primaryLog } from './workers/primary-log.ts'
import { joinPeers, relayToLead, workerRole, type WorkerRole } from './workers/worker.ts'

/** The demo account for a newcomer; undefined when another instance starting at the same moment made it. */
async function createDemoAccount(store: Store, region: string): Promise<NewAccount | undefined> {
  try {
    return await createAccount(store, systemClock, region, 'demo')
  } catch (error) {
    if (error instanceof AccountExistsError) return undefined
    throw error
  }
}

/**
 * Once per start, before any request is served (by the primary when there are workers): the catalog,
 * and for a database without accounts the demo account. Answers the file holding its credentials.
 */
async function prepare(store: Store, config: Config): Promise<string | undefined> {
  await publishCatalog(store, systemClock, config.region, loadCatalog(config.publicServicesFile))
  const demo = (await countAccounts(store)) === 0 ? await createDemoAccount(store, config.region) : undefined
  if (!demo) return undefined
  // Credentials go to an owner-only file, never to the log; a person at a terminal also sees them there.
  const demoFile = demoAccountFile(config.databaseUrl)
  writeDemoAccount(demoFile, demo)
  if (process.stdout.isTTY) {
    process.stdout.write(`\nCreated a demo account (also in ${demoFile}; create more with "npx vpcep accounts create <name> --json"):\n${JSON.stringify(accountWire(demo), null, 2)}\n\n`)
  }
  return demoFile
}

const DEMO_LOGGED = 'created a demo account; its credentials are in this file (mode 0600)'
const redactedUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@')

/** Several server processes (VPCEP_WORKERS): this one migrates and prepares the database, then keeps the workers running. */
async function primary(config: Config, startedAt: bigint): Promise<void> {
  const log = primaryLog(config)
  const store = await openStore(config.databaseUrl)
  const demoFile = await prepare(store, config).finally(() => store.close())
  if (demoFile) log.info({ file: demoFile }, DEMO_LOGGED)
  const workers = await runWorkers(config.workers, log)
  const readyMs = Number(process.hrtime.bigint() - startedAt) / 1e6
  log.info({ database: redactedUrl(config.databaseUrl), region: config.region, workers: config.workers, readyMs: Math.round(readyMs) }, 'vpcep ready')
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down the workers')
    await workers.stop()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/** One server process: alone (`role` undefined), or one of the workers, where only the lead runs the background roles. */
async function serve(config: Config, startedAt: bigint, role: WorkerRole | undefined): Promise<void> {
  const store = await openStore(config.databaseUrl)
  const demoFile = role ? undefined : await prepare(store, config)
  const background = role === undefined || role.lead
  const app = buildApp({ config, store, ...(background ? {} : { relay: relayToLead() }) })
  const log = role ? app.server.log.child({ worker: role.index }) : app.server.log
  if (demoFile) log.info({ file: demoFile }, DEMO_LOGGED)
  const leavePeers = role ? joinPeers(store, app, role) : undefined
  if (background) {
    app.reconciler.start()
    app.events.start()
  }
  await app.server.listen({ host: config.host, port: config.port })
  const readyMs = Number(process.hrtime.bigint() - startedAt) / 1e6
  if (role) log.info({ roles: background ? ['api', 'reconciler', 'event delivery', `data plane ${config.dataplane.mode}`] : ['api'], readyMs: Math.round(readyMs) }, 'worker ready')
  else log.info({ database: redactedUrl(config.databaseUrl), region: config.region, readyMs: Math.round(readyMs) }, 'vpcep ready')
  const dataplane =
    background && config.dataplane.mode === 'embedded'
      ? await startEmbeddedDataplane({ store, config: config.dataplane, dnsZone: `vpcep.${config.region}.internal`, clock: systemClock, log: log.child({ part: 'dataplane' }), registry: app.metricsRegistry })
      : undefined
  if (background && config.dataplane.mode === 'external') log.info({}, 'data plane: run "vpcep dataplane" (one process) beside the API instances; this one does not forward')

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down')
    leavePeers?.()
    await dataplane?.stop()
    await app.close()
    await store.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  // A worker whose primary is gone (killed) has no one left to restart it or pass on news: it ends too.
  if (role) process.on('disconnect', () => void shutdown('primary gone'))
}

/** Process entry: settings → database → migrate → (demo account) → listen (or start the workers) → graceful shutdown. */
async function main(): Promise<void> {
  const startedAt = process.hrtime.bigint()
  const config = loadConfig()
  const role = workerRole()
  if (role === undefined && config.workers > 1) return primary(config, startedAt)
  return serve(config, startedAt, role)
}

main().catch((error: unknown) => {
  process.stderr.write(`vpcep: ${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
