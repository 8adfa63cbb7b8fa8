import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Registry } from 'prom-client'
import type { Config } from './config.ts'
import type { Store } from './store/database.ts'
import { systemClock, type Clock } from './domain/clock.ts'
import { randomIds, type IdSource } from './domain/ids.ts'
import type { DomainContext } from './domain/context.ts'
import { TransitionPolicy } from './domain/transitions.ts'
import { EndpointServices } from './domain/endpoint-services.ts'
import { Whitelist } from './domain/whitelist.ts'
import { Connections } from './domain/connections.ts'
import { Endpoints } from './domain/endpoints.ts'
import { Tagging } from './domain/tagging.ts'
import { ServiceDiscovery } from './domain/service-discovery.ts'
import { Editions } from './domain/editions.ts'
import { EndpointSettings } from './domain/endpoint-settings.ts'
import { Quotas } from './domain/quotas.ts'
import { Admin } from './domain/admin.ts'
import { Backends } from './domain/backends.ts'
import { Authenticator } from './identity/authenticate.ts'
import { FailureThrottle, UNTHROTTLED } from './identity/throttle.ts'
import { BoundedWork } from './identity/work-queue.ts'
import { registerConnectionBudget } from './http/connection-budget.ts'
import { Reconciler } from './jobs/reconciler.ts'
import { validatorCompiler } from './http/validation.ts'
import { serializerFactory, type CompilerFactory } from './http/serialization.ts'
import { requestId } from './http/request-id.ts'
import { registerBodyParser } from './http/body.ts'
import { registerUnknownFieldTolerance } from './http/unknown-fields.ts'
import { registerAuthentication } from './http/auth.ts'
import { RateLimiter } from './http/rate-limit.ts'
import { Metrics } from './http/metrics.ts'
import { clientErrorHandler, registerErrorHandling } from './http/errors.ts'
import { sendError } from './http/envelope.ts'
import { ApiError } from './domain/errors.ts'
import type { Api, RouteDeps } from './api/routes/context.ts'
import { versionRoutes } from './api/routes/versions.ts'
import { serviceRoutes } from './api/routes/services.ts'
import { permissionRoutes } from './api/routes/permissions.ts'
import { connectionRoutes } from './api/routes/connections.ts'
import { endpointRoutes } from './api/routes/endpoints.ts'
import { iamRoutes } from './api/routes/iam.ts'
import { tagRoutes } from './api/routes/tags.ts'
import { quotaRoutes } from './api/routes/quotas.ts'
import { operationsRoutes } from './api/routes/operations.ts'
import { adminRoutes } from './api/routes/admin.ts'
import { consoleRoutes } from './console/routes.ts'
import { openapiRoutes, registerOpenApi } from './api/routes/openapi.ts'
import { poolIdFor } from './api/schemas/services.ts'
import { Subscriptions } from './domain/subscriptions.ts'
import { EventDelivery } from './events/delivery.ts'
import { LiveHub } from './events/live.ts'
import { subscriptionRoutes } from './api/routes/subscriptions.ts'
import { liveRoutes } from './api/routes/live.ts'

export interface AppDeps {
  config: Config
  store: Store
  clock?: Clock
  ids?: IdSource
  /** Logger settings; tests pass false. */
  logger?: FastifyServerOptions['logger']
  /** Where background work scheduled here is also announced, when another process runs the background roles (src/workers). */
  relay?: BackgroundRelay
}

/** What a process that does not run the background roles tells the one that does. */
export interface BackgroundRelay {
  transitionScheduled(): void
  /** A delivery was queued or made due outside the dispatcher (a redelivery). */
  deliveryDue(): void
  subscriptionsChanged(): void
}

export interface App {
  server: Api
  reconciler: Reconciler
  /** The Prometheus registry /metrics serves; other parts of the process (the data plane) add theirs. */
  metricsRegistry: Registry
  /** Webhook delivery of connection events; started with the reconciler. */
  events: EventDelivery
  /** Stops the reconciler, event delivery and live streams, lets in-flight requests finish, then closes the listener (not the store). */
  close(): Promise<void>
}

const REDACT = ['req.headers.authorization', 'req.headers["x-auth-token"]', 'res.headers["x-subject-token"]', 'req.body.auth.identity.password.user.password']

/** Builds the server: the one ordered pipeline of parsing, authentication, validation, routes and errors. */
export function buildApp(deps: AppDeps): App {
  const { config, store } = deps
  const clock = deps.clock ?? systemClock
  const server = Fastify({
    logger: deps.logger ?? {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      ...(config.logFormat === 'pretty' ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
    },
    bodyLimit: config.bodyLimit,
    // Stalled clients are cut: headers, the whole request and an idle socket each have a deadline.
    http: { headersTimeout: config.security.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, config.security.headersTimeoutMs) },
    requestTimeout: config.security.requestTimeoutMs,
    connectionTimeout: config.security.idleTimeoutMs,
    keepAliveTimeout: config.security.idleTimeoutMs,
    ...(config.security.trustProxy.length > 0 ? { trustProxy: config.security.trustProxy } : {}),
    genReqId: requestId,
    // Our TypeBox compiler validates every route; given here, Fastify never loads its default (Ajv) at start.
    schemaController: { compilersFactory: { buildValidator: (() => validatorCompiler) as unknown as CompilerFactory<'buildValidator'>, buildSerializer: serializerFactory } },
    routerOptions: { maxParamLength: 256, ignoreTrailingSlash: true },
    return503OnClosing: true,
    frameworkErrors: (error, request, reply) => sendError(request, reply, new ApiError('parameterError', error.message)),
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>()

  let reconciler: Reconciler | undefined
  const ctx: DomainContext = {
    store,
    clock,
    ids: deps.ids ?? randomIds,
    region: config.region,
    transitions: new TransitionPolicy({ endpoint_service: config.provisionDelays.endpointService, endpoint: config.provisionDelays.endpoint }, config.adminToken !== undefined),
    dnsZone: `vpcep.${config.region}.internal`,
    quotas: config.quotas,
    ...(config.dataplane.mode !== 'off' ? { endpointAddresses: config.dataplane.addressRange } : {}),
    onTransitionScheduled: () => {
      reconciler?.kick()
      deps.relay?.transitionScheduled()
    },
  }
  reconciler = new Reconciler(ctx, config.reconcileIntervalMs, server.log, config.eventRetentionHours * 3600 * 1000)
  const events = new EventDelivery(store, clock, ctx.ids, config.region, config.webhooks, server.log, config.eventRetentionHours * 3600 * 1000)
  const live = new LiveHub(store, Math.min(config.webhooks.pollMs, 500), (error) => server.log.error({ err: error }, 'live stream follower failed; will retry'))

  registerConnectionBudget(server.server, config.security.maxConnectionsPerAddress, server.log)
  server.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    // Every answer is JSON or a static asset of known type: no browser should guess another.
    reply.header('x-content-type-options', 'nosniff')
    done()
  })
  const metrics = new Metrics(store, clock)
  metrics.register(server)
  registerErrorHandling(server)
  registerBodyParser(server)
  registerUnknownFieldTolerance(server)
  const { perSecond, burst } = config.rateLimit
  const { authThrottle, allowUnsignedPayload, allowedHosts, passwordCheckConcurrency } = config.security
  const throttle = authThrottle.enabled ? new FailureThrottle(authThrottle, () => clock.now().getTime()) : UNTHROTTLED
  const signIn = { throttle, passwordChecks: new BoundedWork(passwordCheckConcurrency, 16 * passwordCheckConcurrency, 'sign-ins') }
  const authenticator = new Authenticator(store, clock, { allowUnsignedPayload, allowedHosts, throttle })
  registerAuthentication(server, authenticator, perSecond > 0 ? new RateLimiter(perSecond, Math.max(burst, perSecond), () => clock.now().getTime()) : undefined)
  registerOpenApi(server) // before the routes: it collects them as they are added

  const routeDeps: RouteDeps = {
    config,
    store,
    clock,
    services: new EndpointServices(ctx),
    whitelist: new Whitelist(ctx),
    connections: new Connections(ctx),
    endpoints: new Endpoints(ctx),
    tagging: new Tagging(ctx),
    discovery: new ServiceDiscovery(ctx),
    editions: new Editions(ctx),
    endpointSettings: new EndpointSettings(ctx),
    quotas: new Quotas(ctx),
    admin: new Admin(ctx),
    backends: new Backends(store, clock),
    metrics,
    poolId: poolIdFor(config.region),
    signIn,
    subscriptions: new Subscriptions(
      ctx,
      config.webhooks.addresses,
      () => {
        events.wake()
        deps.relay?.deliveryDue()
      },
      () => {
        events.subscriptionsChanged()
        deps.relay?.subscriptionsChanged()
      },
    ),
    live,
  }
  for (const routes of [versionRoutes, iamRoutes, serviceRoutes, permissionRoutes, connectionRoutes, endpointRoutes, tagRoutes, quotaRoutes, operationsRoutes, adminRoutes, consoleRoutes, subscriptionRoutes, liveRoutes]) {
    server.register(async (scope) => routes(scope as Api, routeDeps))
  }
  server.register(async (scope) => openapiRoutes(scope as Api))

  return {
    server,
    reconciler,
    metricsRegistry: metrics.registry,
    events,
    async close() {
      await reconciler!.stop()
      await live.stop()
      await events.stop()
      await server.close()
    },
  }
}
