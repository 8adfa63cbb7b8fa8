import { loadConfig, ConfigError } from './config.ts'
import { openStore, type Store } from './store/database.ts'
import { buildApp } from './app.ts'
import { AccountExistsError, countAccounts, createAccount, type NewAccount } from './identity/accounts.ts'
import { systemClock } from './domain/clock.ts'
import { loadCatalog, publishCatalog } from './domain/catalog.ts'
import { demoAccountFile, writeDemoAccount } from './demo-account.ts'
import { accountWire } from './identity/accounts.ts'
import { startEmbeddedDataplane } from './dataplane/index.ts'

/** The demo account for a newcomer; undefined when another instance starting at the same moment made it. */
async function createDemoAccount(store: Store, region: string): Promise<NewAccount | undefined> {
  try {
    return await createAccount(store, systemClock, region, 'demo')
  } catch (error) {
    if (error instanceof AccountExistsError) return undefined
    throw error
  }
}

/** Process entry: settings → database → migrate → (demo account) → listen → graceful shutdown. */
async function main(): Promise<void> {
  const startedAt = process.hrtime.bigint()
  const config = loadConfig()
  const store = await openStore(config.databaseUrl)
  await publishCatalog(store, systemClock, config.region, loadCatalog(config.publicServicesFile))
  const demo = (await countAccounts(store)) === 0 ? await createDemoAccount(store, config.region) : undefined
  // Credentials go to an owner-only file, never to the log; a person at a terminal also sees them there.
  const demoFile = demo ? demoAccountFile(config.databaseUrl) : undefined
  if (demo && demoFile) {
    writeDemoAccount(demoFile, demo)
    if (process.stdout.isTTY) {
      process.stdout.write(`\nCreated a demo account (also in ${demoFile}; create more with "npx vpcep accounts create <name> --json"):\n${JSON.stringify(accountWire(demo), null, 2)}\n\n`)
    }
  }
  const app = buildApp({ config, store })
  if (demoFile) app.server.log.info({ file: demoFile }, 'created a demo account; its credentials are in this file (mode 0600)')
  app.reconciler.start()
  app.events.start()
  await app.server.listen({ host: config.host, port: config.port })
  const readyMs = Number(process.hrtime.bigint() - startedAt) / 1e6
  app.server.log.info({ database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@'), region: config.region, readyMs: Math.round(readyMs) }, 'vpcep ready')
  const dataplane =
    config.dataplane.mode === 'embedded'
      ? await startEmbeddedDataplane({ store, config: config.dataplane, dnsZone: `vpcep.${config.region}.internal`, clock: systemClock, log: app.server.log.child({ part: 'dataplane' }), registry: app.metricsRegistry })
      : undefined
  if (config.dataplane.mode === 'external') app.server.log.info({}, 'data plane: run "vpcep dataplane" (one process) beside the API instances; this one does not forward')

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.server.log.info({ signal }, 'shutting down')
    await dataplane?.stop()
    await app.close()
    await store.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  process.stderr.write(`vpcep: ${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
