import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from '../../config.ts'
import type { Store } from '../../store/database.ts'
import type { Clock } from '../../domain/clock.ts'
import type { EndpointServices } from '../../domain/endpoint-services.ts'
import type { Whitelist } from '../../domain/whitelist.ts'
import type { Connections } from '../../domain/connections.ts'
import type { Endpoints } from '../../domain/endpoints.ts'
import type { ServiceDiscovery } from '../../domain/service-discovery.ts'
import type { Editions } from '../../domain/editions.ts'
import type { EndpointSettings } from '../../domain/endpoint-settings.ts'
import type { Quotas } from '../../domain/quotas.ts'
import type { Admin } from '../../domain/admin.ts'
import type { Backends } from '../../domain/backends.ts'
import type { Metrics } from '../../http/metrics.ts'
import type { Tagging } from '../../domain/tagging.ts'
import type { SignInGuards } from '../../identity/tokens.ts'
import type { Subscriptions } from '../../domain/subscriptions.ts'
import type { LiveHub } from '../../events/live.ts'

/** The Fastify instance routes are registered on, typed by TypeBox schemas. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

/** What route plugins call: the domain services and the few settings the wire mapping needs. */
export interface RouteDeps {
  config: Config
  store: Store
  clock: Clock
  services: EndpointServices
  whitelist: Whitelist
  connections: Connections
  endpoints: Endpoints
  tagging: Tagging
  discovery: ServiceDiscovery
  editions: Editions
  endpointSettings: EndpointSettings
  quotas: Quotas
  admin: Admin
  backends: Backends
  metrics: Metrics
  poolId: string
  signIn: SignInGuards
  subscriptions: Subscriptions
  live: LiveHub
}
