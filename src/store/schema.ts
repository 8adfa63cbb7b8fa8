import type { Generated } from 'kysely'

/**
 * Table shapes as the application sees them (camelCase; the CamelCasePlugin maps them to snake_case
 * columns). Booleans are stored as 0/1 integers and structured values as JSON text, so SQLite and
 * PostgreSQL need no per-dialect code. Times are ISO-8601 UTC text (see domain/clock.ts).
 */
export interface AccountsTable {
  id: string
  name: string
  createdAt: string
}

export interface ProjectsTable {
  id: string
  accountId: string
  name: string
  createdAt: string
}

export interface UsersTable {
  id: string
  accountId: string
  name: string
  passwordHash: string
  createdAt: string
}

export interface CredentialsTable {
  accessKey: string
  secretKey: string
  userId: string
  accountId: string
  createdAt: string
}

export interface TokensTable {
  tokenHash: string
  userId: string
  accountId: string
  projectId: string
  expiresAt: string
  createdAt: string
}

export interface EndpointServicesTable {
  id: string
  projectId: string
  accountId: string
  shortName: string
  serviceName: string
  portId: string
  vpcId: string
  serverType: string
  serviceType: string
  approvalEnabled: number
  status: string
  ip: string
  tcpProxy: string
  description: string
  enablePolicy: number
  ipVersion: string
  snatNetworkId: string
  /** JSON array of port mappings. */
  ports: string
  /** JSON array of {code, message} when failed. */
  errors: string
  createdAt: string
  updatedAt: string
  /** When the next automatic status transition is due; null when none is pending. */
  transitionDueAt: string | null
  /** Operator catalog services: listed by /public, connectable by every account. */
  isPublic: Generated<number>
  ownerName: Generated<string>
  isCharge: Generated<number>
  /** JSON array: `basic`, plus `profession` after an upgrade. */
  supportedEditions: Generated<string>
  enableMultiServer: Generated<number>
  /** JSON array of {resourceId, availabilityZoneId} backends added by add-server-resources. */
  serverResources: Generated<string>
}

export interface ServicePermissionsTable {
  id: string
  serviceId: string
  permission: string
  permissionType: string
  description: string
  createdAt: string
}

export interface EndpointsTable {
  id: string
  projectId: string
  accountId: string
  serviceId: string
  vpcId: string
  subnetId: string
  ip: string
  /** Numeric form of `ip` for allocation; null for endpoints without an address. */
  ipNumber: number | null
  markerId: number
  status: string
  /** Whether the connection waits for the provider's decision; fixed when the endpoint is created. */
  requiresApproval: number
  enableDns: number
  whitelist: string
  enableWhitelist: number
  description: string
  connectionDescription: string
  routetables: string
  policyStatement: string
  policyDocument: string | null
  errors: string
  createdAt: string
  updatedAt: string
  transitionDueAt: string | null
  /** `basic` or `profession`. */
  edition: Generated<string>
  ipv6Address: Generated<string>
}

export interface TagsTable {
  resourceType: string
  resourceId: string
  projectId: string
  key: string
  value: string
  position: number
}

/** The outbox: every state change is recorded here in the transaction that makes it. */
export interface EventsTable {
  seq: Generated<number>
  occurredAt: string
  type: string
  resourceType: string
  resourceId: string
  projectId: string
  payload: string
}

/** Webhook subscriptions (migration 0009): who wants which connection events, sent where. */
export interface EventSubscriptionsTable {
  id: string
  projectId: string
  accountId: string
  name: string
  url: string
  /** JSON array of subscribed event type names (events/catalog.ts). */
  eventTypes: string
  /** `endpoint_service` (a provider's) or `endpoint` (a consumer's). */
  resourceType: string
  /** One resource, or '' for every resource of that type in the project. */
  resourceId: string
  /** The signing secret, sealed with the store's SecretBox. */
  secret: string
  enabled: number
  description: string
  createdAt: string
  updatedAt: string
}

/** One event for one subscription: pending until delivered, or dead after the last failed attempt. */
export interface EventDeliveriesTable {
  id: string
  subscriptionId: string
  projectId: string
  /** The CloudEvent id; unique per subscription, so an event is queued once per subscription. */
  eventId: string
  eventType: string
  /** The CloudEvent as sent (JSON text), fixed when queued so outbox pruning cannot lose it. */
  body: string
  status: string
  attempts: number
  /** When the next attempt may start; while an attempt runs, when its lease ends. Null once settled. */
  nextAttemptAt: string | null
  /** Which worker holds the current attempt (with `attempts`, the fence for recording its outcome). */
  leaseOwner: string | null
  lastAttemptAt: string | null
  lastStatusCode: number | null
  lastError: string | null
  /** At most a short excerpt of the receiver's answer. */
  responseExcerpt: string | null
  createdAt: string
  deliveredAt: string | null
}

/** How far a follower of the outbox has read (PostgreSQL: by transaction id, then seq; SQLite: by seq). */
export interface EventCursorsTable {
  name: string
  seq: number
  xid: string | null
}

/** Settings changed at run time through the admin API, shared by every instance. */
export interface AdminSettingsTable {
  key: string
  value: string
}

/** Endpoints per project, maintained by triggers (migration 0005). */
export interface EndpointCountsTable {
  projectId: string
  n: number
}

/** Where a service's `port_id` really is, set by an operator (`vpcep backends set`, admin API). */
export interface BackendsTable {
  portId: string
  address: string
  updatedAt: string
}

/** What an endpoint forwards and its counters; written by the data plane only, read by the API. */
export interface ForwardingTable {
  endpointId: string
  /** `forwarding` or `error` (message says why). */
  state: string
  message: string
  /** `v2` or `none`; `toa` services forward without it (a TCP option cannot be set from user space). */
  proxyProtocol: string
  /** JSON array of {protocol, clientPort, listen, backend}. */
  listeners: string
  activeConnections: number
  connectionsTotal: number
  refusedTotal: number
  bytesIn: number
  bytesOut: number
  updatedAt: string
}

export interface Database {
  accounts: AccountsTable
  projects: ProjectsTable
  users: UsersTable
  credentials: CredentialsTable
  tokens: TokensTable
  endpointServices: EndpointServicesTable
  servicePermissions: ServicePermissionsTable
  endpoints: EndpointsTable
  tags: TagsTable
  events: EventsTable
  adminSettings: AdminSettingsTable
  endpointCounts: EndpointCountsTable
  backends: BackendsTable
  forwarding: ForwardingTable
  eventSubscriptions: EventSubscriptionsTable
  eventDeliveries: EventDeliveriesTable
  eventCursors: EventCursorsTable
}
