import Type from 'typebox'
import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, ProjectParams, StringEnum } from '../schemas/common.ts'
import { QUOTA_TYPES } from '../../domain/quotas.ts'

const QuotasResponse = Type.Object({
  quotas: Type.Object({ resources: Type.Array(Type.Object({ type: Type.String(), used: Type.Integer(), quota: Type.Integer() })) }),
})

export async function quotaRoutes(app: Api, deps: RouteDeps): Promise<void> {
  app.get('/v1/:project_id/quotas', {
    schema: {
      operationId: 'ListQuotaDetails',
      tags: ['quotas'],
      params: ProjectParams,
      querystring: Type.Object({ type: Type.Optional(StringEnum(QUOTA_TYPES)) }),
      response: { 200: QuotasResponse, ...COMMON_ERRORS },
    },
    handler: async (request) => ({ quotas: { resources: await deps.quotas.list(request.scope, request.query.type) } }),
  })
}
