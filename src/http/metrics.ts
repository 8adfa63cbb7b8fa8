import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Store } from '../store/database.ts'
import type { Clock } from '../domain/clock.ts'
import { toStoredTime } from '../domain/clock.ts'
import { isDatabaseUnavailable } from './errors.ts'

/**
 * Prometheus metrics of one server. A registry per app (not prom-client's global one), so several apps
 * in one process, as in tests, keep separate figures. Resource and reconciler gauges are read from the
 * database when scraped, so every instance reports the same shared state.
 */
export class Metrics {
  readonly registry = new Registry()
  private readonly requests = new Counter({ name: 'vpcep_http_requests_total', help: 'HTTP requests by route template, method and status', labelNames: ['route', 'method', 'status'], registers: [this.registry] })
  private readonly latency = new Histogram({
    name: 'vpcep_http_request_duration_seconds',
    help: 'HTTP request latency by route template and method',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  })
  readonly databaseErrors = new Counter({ name: 'vpcep_database_errors_total', help: 'Requests that failed because the database was unreachable or failing', registers: [this.registry] })
  readonly authFailures = new Counter({ name: 'vpcep_authentication_failures_total', help: 'Requests refused with 401', registers: [this.registry] })

  constructor(store: Store, clock: Clock) {
    collectDefaultMetrics({ register: this.registry, prefix: 'vpcep_process_' })
    new Gauge({
      name: 'vpcep_resources',
      help: 'Endpoint services and endpoints by status',
      labelNames: ['type', 'status'],
      registers: [this.registry],
      async collect() {
        this.reset()
        for (const [type, table] of [['endpoint_service', 'endpointServices'], ['endpoint', 'endpoints']] as const) {
          const rows = await store.db.selectFrom(table).select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute()
          for (const row of rows) this.set({ type, status: row.status }, Number(row.n))
        }
      },
    })
    const dueTransitions = async () => {
      const now = toStoredTime(clock.now())
      let due = 0
      let oldest: string | undefined
      for (const table of ['endpointServices', 'endpoints'] as const) {
        const row = await store.db
          .selectFrom(table)
          .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('transitionDueAt').as('oldest')])
          .where('transitionDueAt', '<=', now)
          .executeTakeFirstOrThrow()
        due += Number(row.n)
        if (row.oldest && (!oldest || row.oldest < oldest)) oldest = row.oldest
      }
      return { due, lagSeconds: oldest ? Math.max(0, (clock.now().getTime() - Date.parse(oldest)) / 1000) : 0 }
    }
    new Gauge({
      name: 'vpcep_reconciler_backlog',
      help: 'State transitions that are due now and not yet applied',
      registers: [this.registry],
      async collect() {
        this.set((await dueTransitions()).due)
      },
    })
    new Gauge({
      name: 'vpcep_reconciler_lag_seconds',
      help: 'How long the oldest due transition has been waiting',
      registers: [this.registry],
      async collect() {
        this.set((await dueTransitions()).lagSeconds)
      },
    })
  }

  /** Counts every answered request under its route template (never the raw URL, which holds ids). */
  register(app: FastifyInstance): void {
    // Callback hooks, not async ones: nothing here waits, so no promise per request.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? (reply.statusCode === 404 ? 'unknown' : 'unmatched')
      this.requests.inc({ route, method: request.method, status: String(reply.statusCode) })
      this.latency.observe({ route, method: request.method }, reply.elapsedTime / 1000)
      if (reply.statusCode === 401) this.authFailures.inc()
      done()
    })
    app.addHook('onError', (_request, _reply, error, done) => {
      if (isDatabaseUnavailable(error)) this.databaseErrors.inc()
      done()
    })
  }
}
