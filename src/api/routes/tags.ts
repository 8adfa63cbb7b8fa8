import Type from 'typebox'
import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS } from '../schemas/common.ts'
import {
  ProjectTagsResponse,
  ResourceInstancesBody,
  ResourceInstancesResponse,
  ResourceTypeParams,
  TagActionBody,
  TaggedResourceParams,
  toResourceSearchInput,
  toResourceTags,
  toWireResourceInstance,
  toWireTagValues,
} from '../schemas/tags.ts'

/**
 * Tag operations (digest §4.8): tag actions, project tag summary, resource instance search. Their paths
 * start with a `{resource_type}` parameter; find-my-way prefers the static `vpc-endpoints` and
 * `vpc-endpoint-services` segments of the other routes, so those are unaffected.
 */
export async function tagRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { tagging } = deps
  const group = ['tags']

  app.post('/v1/:project_id/:resource_type/:resource_id/tags/action', {
    schema: { operationId: 'BatchAddOrRemoveResourceInstance', tags: group, params: TaggedResourceParams, body: TagActionBody, response: { 204: Type.Null(), ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      const { resource_type, resource_id } = request.params
      await tagging.batchAction(request.scope, resource_type, resource_id, request.body.action, toResourceTags(request.body.tags))
      return reply.code(204).send(null)
    },
  })

  app.get('/v1/:project_id/:resource_type/tags', {
    schema: { operationId: 'ListQueryProjectResourceTags', tags: group, params: ResourceTypeParams, response: { 200: ProjectTagsResponse, ...COMMON_ERRORS } },
    handler: async (request) => ({ tags: (await tagging.projectTags(request.scope, request.params.resource_type)).map(toWireTagValues) }),
  })

  app.post('/v1/:project_id/:resource_type/resource_instances/action', {
    schema: { operationId: 'ListResourceInstances', tags: group, params: ResourceTypeParams, body: ResourceInstancesBody, response: { 200: ResourceInstancesResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const result = await tagging.search(request.scope, request.params.resource_type, toResourceSearchInput(request.body))
      return result.resources ? { resources: result.resources.map(toWireResourceInstance), total_count: result.totalCount } : { total_count: result.totalCount }
    },
  })
}
