import { pathOf, type Transport } from './transport.ts'
import type { ListPermissionsParams, NewPermission, PermissionActionResult, PermissionList, PermissionRecords, PermissionType } from './types.ts'

/** A service's whitelist (digest §4.3). */
export class PermissionsApi {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  private base(serviceId: string): string {
    return pathOf`/v1/${this.projectId}/vpc-endpoint-services/${serviceId}/permissions`
  }

  /** ListServicePermissionsDetails. */
  async list(serviceId: string, query: ListPermissionsParams = {}): Promise<PermissionList> {
    return (await this.transport.request<PermissionList>({ method: 'GET', path: this.base(serviceId), query, projectId: this.projectId })).body
  }

  /** AddOrRemoveServicePermissions: answers the service's whole resulting whitelist as strings. */
  async action(serviceId: string, action: 'add' | 'remove', permissions: string[], permissionType?: PermissionType): Promise<PermissionActionResult> {
    const body = { permissions, action, ...(permissionType ? { permission_type: permissionType } : {}) }
    return (await this.transport.request<PermissionActionResult>({ method: 'POST', path: `${this.base(serviceId)}/action`, body, projectId: this.projectId })).body
  }

  add(serviceId: string, permissions: string[], permissionType?: PermissionType): Promise<PermissionActionResult> {
    return this.action(serviceId, 'add', permissions, permissionType)
  }

  /** Removes by whitelist string; strings that are not present are not an error. */
  remove(serviceId: string, permissions: string[], permissionType?: PermissionType): Promise<PermissionActionResult> {
    return this.action(serviceId, 'remove', permissions, permissionType)
  }

  /** BatchAddEndpointServicePermissions: answers the records (with their ids). */
  async batchCreate(serviceId: string, permissions: NewPermission[], permissionType?: PermissionType): Promise<PermissionRecords> {
    const body = { permissions, ...(permissionType ? { permission_type: permissionType } : {}) }
    return (await this.transport.request<PermissionRecords>({ method: 'POST', path: `${this.base(serviceId)}/batch-create`, body, projectId: this.projectId })).body
  }

  /** BatchRemoveEndpointServicePermissions by record id: all or nothing; answers the removed records. */
  async batchDelete(serviceId: string, ids: string[]): Promise<PermissionRecords> {
    const body = { permissions: ids.map((id) => ({ id })) }
    return (await this.transport.request<PermissionRecords>({ method: 'POST', path: `${this.base(serviceId)}/batch-delete`, body, projectId: this.projectId })).body
  }

  /** UpdateEndpointServicePermissionDesc: sets one record's description. */
  async describe(serviceId: string, permissionId: string, description: string): Promise<PermissionRecords> {
    const body = { permission: { description } }
    return (await this.transport.request<PermissionRecords>({ method: 'PUT', path: `${this.base(serviceId)}${pathOf`/${permissionId}`}`, body, projectId: this.projectId })).body
  }
}
