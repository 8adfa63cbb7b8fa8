import type { Static } from 'typebox'
import type {
  CreateServiceBody,
  DescribeServiceResponse,
  ListServicesQuery,
  ListServicesResponse,
  PublicServicesQuery,
  PublicServicesResponse,
  RenameServiceResponse,
  ServiceOut,
  UpdateServiceBody,
} from '../api/schemas/services.ts'
import type {
  BatchCreateBody,
  ListPermissionsQuery,
  ListPermissionsResponse,
  PermissionActionResponse,
  PermissionOut,
  PermissionsResponse,
} from '../api/schemas/permissions.ts'
import type {
  ConnectionOut,
  ConnectionsResponse,
  CreateEndpointBody,
  EndpointOut,
  ListConnectionsQuery,
  ListConnectionsResponse,
  ListEndpointsQuery,
  ListEndpointsResponse,
  UpdateEndpointWhitelistBody,
} from '../api/schemas/endpoints.ts'
import type { ProjectTagsResponse, ResourceInstancesBody, ResourceInstancesResponse, TagActionBody } from '../api/schemas/tags.ts'

/*
 * Wire types of the operations, taken from the route schemas themselves (type-only imports: nothing of
 * the server is loaded at run time), so the client cannot drift from what the server sends.
 */

export type EndpointService = Static<typeof ServiceOut>
export type CreateServiceRequest = Static<typeof CreateServiceBody>
export type UpdateServiceRequest = Static<typeof UpdateServiceBody>
export type ListServicesParams = Static<typeof ListServicesQuery>
export type ServiceList = Static<typeof ListServicesResponse>
export type RenameServiceResult = Static<typeof RenameServiceResponse>
export type ServiceSummary = Static<typeof DescribeServiceResponse>
export type ListPublicServicesParams = Static<typeof PublicServicesQuery>
export type PublicServiceList = Static<typeof PublicServicesResponse>

export type Permission = Static<typeof PermissionOut>
export type PermissionType = 'domainId' | 'orgPath'
export type ListPermissionsParams = Static<typeof ListPermissionsQuery>
export type PermissionList = Static<typeof ListPermissionsResponse>
export type PermissionRecords = Static<typeof PermissionsResponse>
export type PermissionActionResult = Static<typeof PermissionActionResponse>
export type NewPermission = Static<typeof BatchCreateBody>['permissions'][number]

export type Connection = Static<typeof ConnectionOut>
export type ListConnectionsParams = Static<typeof ListConnectionsQuery>
export type ConnectionList = Static<typeof ListConnectionsResponse>
export type Connections = Static<typeof ConnectionsResponse>
export type ConnectionAction = 'receive' | 'reject'

export type Endpoint = Static<typeof EndpointOut>
export type CreateEndpointRequest = Static<typeof CreateEndpointBody>
export type UpdateEndpointRequest = Static<typeof UpdateEndpointWhitelistBody>
export type ListEndpointsParams = Static<typeof ListEndpointsQuery>
export type EndpointList = Static<typeof ListEndpointsResponse>

export type QuotaType = 'endpoint_service' | 'endpoint'
export interface Quotas {
  quotas: { resources: Array<{ type: string; used: number; quota: number }> }
}

export type ResourceType = 'endpoint_service' | 'endpoint'
export type TagAction = 'create' | 'delete'
export type ResourceTag = NonNullable<Static<typeof TagActionBody>['tags']>[number]
export type ProjectTags = Static<typeof ProjectTagsResponse>
export type ResourceSearchRequest = Static<typeof ResourceInstancesBody>
export type ResourceSearchResult = Static<typeof ResourceInstancesResponse>

export interface Project {
  id: string
  name: string
  domain_id: string
}
