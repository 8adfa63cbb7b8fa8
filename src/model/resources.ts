/** Resource shapes, camelCase and framework-free: the domain works with them, the store reads and writes them, the API layer maps them to the wire. */

/** Every domain and repository call takes the caller's scope first; no query runs without it. */
export interface Scope {
  accountId: string
  projectId: string
}

export const SERVICE_STATUSES = ['creating', 'available', 'failed', 'deleting'] as const
export type ServiceStatus = (typeof SERVICE_STATUSES)[number]

export const ENDPOINT_STATUSES = ['creating', 'pendingAcceptance', 'accepted', 'rejected', 'failed', 'deleting'] as const
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number]

/** The connection-list status filter accepts only the settled states (digest §4.4.1). */
export const CONNECTION_FILTER_STATUSES = ['pendingAcceptance', 'accepted', 'rejected', 'failed'] as const

export const SERVER_TYPES = ['VM', 'VIP', 'LB'] as const
export const TCP_PROXY_MODES = ['close', 'toa_open', 'proxy_open', 'open', 'proxy_vni'] as const
export const PROTOCOLS = ['TCP', 'UDP'] as const

export interface PortMapping {
  clientPort: number
  serverPort: number
  protocol: string
}

export interface Tag {
  key: string
  value: string
}

export interface ServiceError {
  code: string
  message: string
}

export interface EndpointService {
  id: string
  projectId: string
  accountId: string
  shortName: string
  serviceName: string
  portId: string
  vpcId: string
  serverType: string
  serviceType: string
  approvalEnabled: boolean
  status: ServiceStatus
  ip: string
  tcpProxy: string
  description: string
  enablePolicy: boolean
  ipVersion: string
  /** Given with `ip_version: ipv6`, `""` otherwise. */
  snatNetworkId: string
  ports: PortMapping[]
  errors: ServiceError[]
  tags: Tag[]
  /** Endpoints of this service that are `creating` or `accepted`. */
  connectionCount: number
  isPublic: boolean
  ownerName: string
  isCharge: boolean
  supportedEditions: string[]
  enableMultiServer: boolean
  serverResources: Array<{ resourceId: string; availabilityZoneId: string }>
  createdAt: string
  updatedAt: string
}

export interface EndpointError {
  errorCode: string
  errorMessage: string
}

export interface Endpoint {
  id: string
  projectId: string
  accountId: string
  serviceId: string
  serviceName: string
  serviceType: string
  vpcId: string
  subnetId: string
  ip: string
  markerId: number
  status: EndpointStatus
  enableDns: boolean
  dnsNames: string[]
  whitelist: string[]
  enableWhitelist: boolean
  description: string
  connectionDescription: string
  routetables: string[]
  policyStatement: unknown[]
  policyDocument: unknown
  errors: EndpointError[]
  tags: Tag[]
  /** `basic` or `profession` (after UpgradeEndpoint). */
  edition: string
  ipv6Address: string
  createdAt: string
  updatedAt: string
  /** What the data plane reports for an accepted endpoint; absent when nothing forwards. */
  forwarding?: Forwarding
}

export interface ForwardingListener {
  protocol: string
  clientPort: number
  /** `address:port` clients connect to. */
  listen: string
  /** `address:port` the traffic goes to. */
  backend: string
}

export interface Forwarding {
  state: 'forwarding' | 'error' | 'stopped'
  message: string
  proxyProtocol: string
  listeners: ForwardingListener[]
  activeConnections: number
  connectionsTotal: number
  refusedTotal: number
  bytesIn: number
  bytesOut: number
  updatedAt: string
}

export interface Permission {
  id: string
  serviceId: string
  permission: string
  permissionType: 'domainId' | 'orgPath'
  description: string
  createdAt: string
}

export type SortKey = 'create_at' | 'update_at'
export type SortDir = 'asc' | 'desc'

export interface Page {
  limit: number
  offset: number
  sortKey: SortKey
  sortDir: SortDir
}

export interface Paged<T> {
  items: T[]
  totalCount: number
}
