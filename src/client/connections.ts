import { pathOf, type Transport } from './transport.ts'
import type { ConnectionAction, ConnectionList, Connections, ListConnectionsParams } from './types.ts'

/** A service's connections: its endpoints as the provider sees them (digest §4.4). */
export class ConnectionsApi {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  private base(serviceId: string): string {
    return pathOf`/v1/${this.projectId}/vpc-endpoint-services/${serviceId}/connections`
  }

  /** ListServiceConnections. */
  async list(serviceId: string, query: ListConnectionsParams = {}): Promise<ConnectionList> {
    return (await this.transport.request<ConnectionList>({ method: 'GET', path: this.base(serviceId), query, projectId: this.projectId })).body
  }

  /** AcceptOrRejectEndpoint: one endpoint per call (the API refuses more). */
  async action(serviceId: string, action: ConnectionAction, endpointId: string): Promise<Connections> {
    const body = { action, endpoints: [endpointId] }
    return (await this.transport.request<Connections>({ method: 'POST', path: `${this.base(serviceId)}/action`, body, projectId: this.projectId })).body
  }

  accept(serviceId: string, endpointId: string): Promise<Connections> {
    return this.action(serviceId, 'receive', endpointId)
  }

  reject(serviceId: string, endpointId: string): Promise<Connections> {
    return this.action(serviceId, 'reject', endpointId)
  }

  /** UpdateEndpointConnectionsDesc: the provider's notes on connections. */
  async describe(serviceId: string, connections: Array<{ id: string; description: string }>): Promise<Connections> {
    const body = { connections }
    return (await this.transport.request<Connections>({ method: 'PUT', path: `${this.base(serviceId)}/description`, body, projectId: this.projectId })).body
  }
}
