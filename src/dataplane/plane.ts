import type { Registry } from 'prom-client'
import type { Store } from '../store/database.ts'
import type { DataplaneConfig } from '../config.ts'
import { toStoredTime, type Clock } from '../domain/clock.ts'
import { allForwarding, removeForwarding, saveForwarding } from '../store/repos/forwarding.ts'
import type { Forwarding } from '../model/resources.ts'
import { readBackendsFile, resolveBackend } from './backends.ts'
import { loadDesiredState } from './desired.ts'
import { EndpointListeners } from './endpoint-listeners.ts'
import { OutboxFollower } from './outbox-follower.ts'
import { DnsResponder } from './dns.ts'
import { registerDataplaneMetrics } from './metrics.ts'
import type { ForwarderEvents } from './tcp-forwarder.ts'

/** The few logger methods the data plane uses (pino's, or the console's). */
export interface DataplaneLog {
  info(object: object, message: string): void
  warn(object: object, message: string): void
  error(object: object, message: string): void
}

export interface DataplaneDeps {
  store: Store
  config: DataplaneConfig
  dnsZone: string
  clock: Clock
  log: DataplaneLog
  /** Registry the metrics go on; none: no metrics. */
  registry?: Registry
}

/** Late PostgreSQL commits are looked for this far below the newest seq seen (outbox-follower.ts). */
const PG_GAP_WINDOW = 256
/** Table state is reconciled at least this often even when the outbox is quiet (a lost wake-up, a failed bind). */
const FULL_RECONCILE_MS = 2000
/** Counters reach the database (and the API's `forwarding` field) at most this often. */
const REPORT_MS = 1000

/**
 * The data plane: converges listeners on the database's table state, woken by the events outbox.
 * Only accepted interface endpoints of available services forward; anything else closes its listeners
 * and cuts their connections on the next pass (a pass follows a change within about pollMs).
 */
export class DataPlane {
  private readonly endpoints = new Map<string, EndpointListeners>()
  private readonly follower: OutboxFollower
  private readonly fileBackends: Map<string, string>
  private readonly remembered = new Map<string, Map<string, number>>()
  private readonly reported = new Map<string, string>()
  private readonly toaWarned = new Set<string>()
  private dns: DnsResponder | undefined
  private dnsPort: number | undefined
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private stopped = false
  private lastFull = 0
  private lastReport = 0
  private lastError = ''

  /** Throws DataplaneConfigError when VPCEP_BACKENDS_FILE cannot be used. */
  constructor(private readonly deps: DataplaneDeps) {
    this.follower = new OutboxFollower(deps.store.db, deps.store.dialect === 'postgres' ? PG_GAP_WINDOW : 0)
    this.fileBackends = deps.config.backendsFile ? readBackendsFile(deps.config.backendsFile) : new Map()
    if (deps.registry) registerDataplaneMetrics(deps.registry, () => this.endpoints.values())
  }

  /** Restores every listener from the database, then follows its changes. */
  async start(): Promise<void> {
    const { config, log } = this.deps
    for (const row of await allForwarding(this.deps.store.db)) {
      const ports = new Map<string, number>()
      for (const l of JSON.parse(row.listeners) as Array<{ protocol: string; clientPort: number; listen: string }>) {
        if (l.listen.startsWith(`${config.fallbackHost}:`)) ports.set(`${l.protocol}/${l.clientPort}`, Number(l.listen.split(':')[1]))
      }
      this.remembered.set(row.endpointId, ports)
    }
    await this.follower.start()
    if (config.dnsPort !== undefined) await this.startDns(config.dnsPort)
    await this.reconcile()
    log.info({ endpoints: this.endpoints.size, addressRange: config.addressRange.cidr, dns: this.dnsAddress }, 'data plane forwarding')
    this.schedule()
  }

  /** `host:port` of the DNS responder, when it runs. */
  get dnsAddress(): string | undefined {
    return this.dnsPort === undefined ? undefined : `${this.deps.config.fallbackHost}:${this.dnsPort}`
  }

  /** Closes every listener and connection; the forwarding rows stay, so a restart reuses fallback ports. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    const stamp = toStoredTime(this.deps.clock.now())
    for (const listeners of this.endpoints.values()) {
      const report = listeners.report(stamp)
      await saveForwarding(this.deps.store.db, listeners.id, { ...report, state: 'stopped', message: 'the data plane stopped', activeConnections: 0 }).catch(() => {})
    }
    await Promise.all([...this.endpoints.values()].map((e) => e.closeAll()))
    this.endpoints.clear()
    await this.dns?.close()
  }

  /** Runs a pass now (tests and the embedded server call it after a change they made themselves). */
  kick(): Promise<void> {
    this.running = this.running.then(() => this.reconcile())
    return this.running
  }

  private async startDns(port: number): Promise<void> {
    const responder = new DnsResponder(this.deps.dnsZone)
    try {
      this.dnsPort = await responder.listen(this.deps.config.fallbackHost, port)
      this.dns = responder
    } catch (error) {
      this.deps.log.error({ port, error: (error as Error).message }, 'private DNS responder not started (set VPCEP_DNS_PORT to a free port, or off)')
    }
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.running.then(() => this.tick()).finally(() => this.schedule())
    }, this.deps.config.pollMs)
  }

  private async tick(): Promise<void> {
    try {
      const now = Date.now()
      if ((await this.follower.changed()) || now - this.lastFull >= FULL_RECONCILE_MS) await this.reconcile()
      else if (now - this.lastReport >= REPORT_MS) await this.report()
      this.lastError = ''
    } catch (error) {
      // The database unreachable for a while: listeners keep their last state; say so once per cause.
      const message = (error as Error).message
      if (message !== this.lastError) this.deps.log.error({ error: message }, 'data plane could not read the database; retrying')
      this.lastError = message
    }
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return
    this.lastFull = Date.now()
    const { store, config, log } = this.deps
    const desired = await loadDesiredState(store.db, this.deps.dnsZone)
    this.dns?.setNames(desired.dnsNames)
    const wanted = new Set(desired.endpoints.map((e) => e.id))
    for (const [id, listeners] of this.endpoints) {
      if (wanted.has(id)) continue
      this.endpoints.delete(id)
      this.remembered.delete(id)
      await listeners.closeAll()
      log.info({ endpointId: id }, 'endpoint no longer forwards; its connections were cut')
    }
    for (const endpoint of desired.endpoints) {
      let listeners = this.endpoints.get(endpoint.id)
      if (!listeners) {
        listeners = new EndpointListeners(endpoint.id, this.events, this.remembered.get(endpoint.id) ?? new Map())
        this.endpoints.set(endpoint.id, listeners)
      }
      const backend = resolveBackend(endpoint.portId, desired.backends, this.fileBackends, config.defaultBackend)
      await listeners.apply({ endpoint, backend, fallbackHost: config.fallbackHost })
      if ((endpoint.tcpProxy === 'toa_open' || endpoint.tcpProxy === 'open') && !this.toaWarned.has(endpoint.id)) {
        this.toaWarned.add(endpoint.id)
        log.warn({ endpointId: endpoint.id, serviceId: endpoint.serviceId, tcpProxy: endpoint.tcpProxy }, 'toa_open: a TOA TCP option cannot be produced from user space; this endpoint forwards without it')
      }
    }
    const gone = [...this.reported.keys()].filter((id) => !wanted.has(id))
    const stale = (await allForwarding(store.db)).map((r) => r.endpointId).filter((id) => !wanted.has(id))
    await removeForwarding(store.db, [...new Set([...gone, ...stale])])
    for (const id of gone) this.reported.delete(id)
    await this.report()
  }

  /**
   * Writes the endpoints whose report changed since the last write, all in one transaction: one durable
   * commit per pass, not one per endpoint (a burst of accepts changes many reports at once).
   */
  private async report(): Promise<void> {
    this.lastReport = Date.now()
    const stamp = toStoredTime(this.deps.clock.now())
    const changed: Array<{ id: string; report: Forwarding; fingerprint: string }> = []
    for (const listeners of this.endpoints.values()) {
      const report = listeners.report(stamp)
      const { updatedAt: _, ...comparable } = report
      const fingerprint = JSON.stringify(comparable)
      const before = this.reported.get(listeners.id)
      if (before === fingerprint) continue
      if (report.state === 'error' && (before === undefined || !before.includes(JSON.stringify(report.message)))) {
        this.deps.log.error({ endpointId: listeners.id, problem: report.message }, 'endpoint cannot forward')
      }
      changed.push({ id: listeners.id, report, fingerprint })
    }
    if (changed.length === 0) return
    await this.deps.store.transaction(async (tx) => {
      for (const { id, report } of changed) await saveForwarding(tx, id, report)
    })
    for (const { id, fingerprint } of changed) this.reported.set(id, fingerprint)
  }

  private readonly events: ForwarderEvents = {
    opened: (id) => {
      const e = this.endpoints.get(id)
      if (e) e.connectionsTotal++
    },
    refused: (id) => {
      const e = this.endpoints.get(id)
      if (e) e.refusedTotal++
    },
    closed: () => {},
  }
}
