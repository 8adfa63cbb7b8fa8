import http from 'node:http'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { loadConfig } from '../config.ts'
import { openStore } from '../store/database.ts'
import { systemClock } from '../domain/clock.ts'
import { DataPlane, type DataplaneLog } from './plane.ts'

/** JSON lines on stdout, as the server's logs in production. */
function jsonLog(): DataplaneLog {
  const line = (level: string) => (object: object, msg: string) => process.stdout.write(`${JSON.stringify({ level, time: Date.now(), part: 'dataplane', ...object, msg })}\n`)
  return { info: line('info'), warn: line('warn'), error: line('error') }
}

/**
 * `vpcep dataplane`: the data plane as a process of its own beside stateless API instances (run one).
 * It needs only the database; `metricsPort` serves its Prometheus metrics on 127.0.0.1.
 */
export async function runDataplaneRole(options: { metricsPort?: number } = {}): Promise<void> {
  const config = loadConfig()
  const log = jsonLog()
  const store = await openStore(config.databaseUrl)
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'vpcep_dataplane_process_' })
  const plane = new DataPlane({ store, config: { ...config.dataplane, mode: 'embedded' }, dnsZone: `vpcep.${config.region}.internal`, clock: systemClock, log, registry })
  await plane.start()
  let metrics: http.Server | undefined
  if (options.metricsPort !== undefined) {
    metrics = http.createServer((request, response) => {
      if (request.url !== '/metrics') return void response.writeHead(404).end()
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: Error) => response.writeHead(500).end(error.message),
      )
    })
    await new Promise<void>((resolve) => metrics!.listen(options.metricsPort, config.dataplane.fallbackHost, resolve))
    log.info({ metrics: `http://${config.dataplane.fallbackHost}:${(metrics.address() as { port: number }).port}/metrics` }, 'data plane metrics')
  }
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'data plane stopping')
    await plane.stop()
    metrics?.close()
    await store.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
