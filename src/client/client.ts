import { pathOf, Transport, type Auth, type TransportOptions } from './transport.ts'
import { ServicesApi } from './services.ts'
import { PermissionsApi } from './permissions.ts'
import { ConnectionsApi } from './connections.ts'
import { EndpointsApi } from './endpoints.ts'
import { TagsApi } from './tags.ts'
import { SubscriptionsApi } from './subscriptions.ts'
import type { Project, QuotaType, Quotas } from './types.ts'

export interface ClientOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:9880`. */
  endpoint: string
  /** The project every call acts in (path and X-Project-Id). */
  projectId: string
  /** AK/SK (signed, SDK-HMAC-SHA256) or an IAM token (X-Auth-Token). */
  auth: Auth
  timeoutMs?: number
  userAgent?: string
  now?: () => Date
}

/**
 * The typed VPCEP client used by the CLI and the console: one method per operation, grouped by resource.
 * Failures are `VpcepApiError` (the API answered 4xx/5xx) or `VpcepNetworkError` (no answer).
 */
export class VpcepClient {
  readonly transport: Transport
  readonly projectId: string
  readonly services: ServicesApi
  readonly permissions: PermissionsApi
  readonly connections: ConnectionsApi
  readonly endpoints: EndpointsApi
  readonly tags: TagsApi
  /** Webhook subscriptions to connection events (a vpcep extension). */
  readonly subscriptions: SubscriptionsApi

  constructor(options: ClientOptions) {
    this.transport = new Transport(transportOptions(options))
    this.projectId = options.projectId
    this.services = new ServicesApi(this.transport, options.projectId)
    this.permissions = new PermissionsApi(this.transport, options.projectId)
    this.connections = new ConnectionsApi(this.transport, options.projectId)
    this.endpoints = new EndpointsApi(this.transport, options.projectId)
    this.tags = new TagsApi(this.transport, options.projectId)
    this.subscriptions = new SubscriptionsApi(this.transport, options.projectId)
  }

  /** ListQuotaDetails: used and allowed counts, per resource type. */
  async quotas(type?: QuotaType): Promise<Quotas> {
    return (await this.transport.request<Quotas>({ method: 'GET', path: pathOf`/v1/${this.projectId}/quotas`, query: { type }, projectId: this.projectId })).body
  }

  /**
   * The projects a credential may act in (IAM KeystoneListProjects, not scoped to a project): how a
   * client configured with keys but no project id finds it.
   */
  static async projects(options: Omit<ClientOptions, 'projectId'>): Promise<Project[]> {
    const transport = new Transport(transportOptions(options))
    const response = await transport.request<{ projects: Project[] }>({ method: 'GET', path: '/v3/projects' })
    return response.body.projects
  }
}

function transportOptions(options: Omit<ClientOptions, 'projectId'>): TransportOptions {
  return { endpoint: options.endpoint, auth: options.auth, timeoutMs: options.timeoutMs, userAgent: options.userAgent, now: options.now }
}
