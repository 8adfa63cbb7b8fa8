import { pathOf, type Transport } from './transport.ts'
import type {
  CreateServiceRequest,
  EndpointService,
  ListPublicServicesParams,
  ListServicesParams,
  PublicServiceList,
  RenameServiceResult,
  ServiceList,
  ServiceSummary,
  UpdateServiceRequest,
} from './types.ts'

/** Endpoint services, the provider side (digest §4.2). */
export class ServicesApi {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  private get base(): string {
    return pathOf`/v1/${this.projectId}/vpc-endpoint-services`
  }

  /** CreateEndpointService: answers the new service, normally `creating`. */
  async create(body: CreateServiceRequest): Promise<EndpointService> {
    return (await this.transport.request<EndpointService>({ method: 'POST', path: this.base, body, projectId: this.projectId })).body
  }

  /** ListEndpointService: one page of the project's services. */
  async list(query: ListServicesParams = {}): Promise<ServiceList> {
    return (await this.transport.request<ServiceList>({ method: 'GET', path: this.base, query, projectId: this.projectId })).body
  }

  /** ListServiceDetails; 404 once the service is gone. */
  async show(id: string): Promise<EndpointService> {
    return (await this.transport.request<EndpointService>({ method: 'GET', path: `${this.base}${pathOf`/${id}`}`, projectId: this.projectId })).body
  }

  /** UpdateEndpointService: only the given fields change; `ports` replaces the whole list. */
  async update(id: string, body: UpdateServiceRequest): Promise<EndpointService> {
    return (await this.transport.request<EndpointService>({ method: 'PUT', path: `${this.base}${pathOf`/${id}`}`, body, projectId: this.projectId })).body
  }

  /** DeleteEndpointService: 204; the service goes `deleting`, then disappears. */
  async delete(id: string): Promise<void> {
    await this.transport.request<undefined>({ method: 'DELETE', path: `${this.base}${pathOf`/${id}`}`, projectId: this.projectId })
  }

  /** UpdateEndpointServiceName: `''` clears the short name. */
  async rename(id: string, name: string): Promise<RenameServiceResult> {
    const body = { endpoint_service_name: name }
    return (await this.transport.request<RenameServiceResult>({ method: 'PUT', path: `${this.base}${pathOf`/${id}/name`}`, body, projectId: this.projectId })).body
  }

  /** ListServiceDescribeDetails: a consumer's lookup of a service by full name or id. */
  async describe(query: { id?: string; endpoint_service_name?: string }): Promise<ServiceSummary> {
    return (await this.transport.request<ServiceSummary>({ method: 'GET', path: `${this.base}/describe`, query, projectId: this.projectId })).body
  }

  /** ListServicePublicDetails: the operator's public services. */
  async listPublic(query: ListPublicServicesParams = {}): Promise<PublicServiceList> {
    return (await this.transport.request<PublicServiceList>({ method: 'GET', path: `${this.base}/public`, query, projectId: this.projectId })).body
  }
}
