import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, toPage } from '../schemas/common.ts'
import {
  BatchCreateBody,
  BatchDeleteBody,
  ListPermissionsQuery,
  ListPermissionsResponse,
  PermissionActionBody,
  PermissionActionResponse,
  PermissionParams,
  PermissionRecordParams,
  PermissionsResponse,
  UpdatePermissionBody,
  toWirePermission,
} from '../schemas/permissions.ts'

export async function permissionRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { whitelist } = deps
  const tags = ['whitelist']
  const base = '/v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions'

  app.get(base, {
    schema: { operationId: 'ListServicePermissionsDetails', tags, params: PermissionParams, querystring: ListPermissionsQuery, response: { 200: ListPermissionsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const page = await whitelist.list(request.scope, request.params.vpc_endpoint_service_id, request.query.permission, toPage(request.query))
      return { permissions: page.items.map(toWirePermission), total_count: page.totalCount }
    },
  })

  app.post(`${base}/action`, {
    schema: { operationId: 'AddOrRemoveServicePermissions', tags, params: PermissionParams, body: PermissionActionBody, response: { 200: PermissionActionResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const { action, permissions, permission_type } = request.body
      const result = await whitelist.addOrRemove(request.scope, request.params.vpc_endpoint_service_id, action, permissions, permission_type)
      return { permissions: result, permission_type: permission_type ?? 'domainId' }
    },
  })

  app.post(`${base}/batch-create`, {
    schema: { operationId: 'BatchAddEndpointServicePermissions', tags, params: PermissionParams, body: BatchCreateBody, response: { 200: PermissionsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const created = await whitelist.batchCreate(request.scope, request.params.vpc_endpoint_service_id, request.body.permissions, request.body.permission_type)
      return { permissions: created.map(toWirePermission) }
    },
  })

  app.post(`${base}/batch-delete`, {
    schema: { operationId: 'BatchRemoveEndpointServicePermissions', tags, params: PermissionParams, body: BatchDeleteBody, response: { 200: PermissionsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const removed = await whitelist.batchDelete(request.scope, request.params.vpc_endpoint_service_id, request.body.permissions.map((p) => p.id))
      return { permissions: removed.map(toWirePermission) }
    },
  })

  app.put(`${base}/:permission_id`, {
    schema: { operationId: 'UpdateEndpointServicePermissionDesc', tags, params: PermissionRecordParams, body: UpdatePermissionBody, response: { 200: PermissionsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const { vpc_endpoint_service_id, permission_id } = request.params
      const updated = await whitelist.updateDescription(request.scope, vpc_endpoint_service_id, permission_id, request.body.permission.description)
      return { permissions: [toWirePermission(updated)] }
    },
  })
}
