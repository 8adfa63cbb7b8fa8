import Type from 'typebox'
import { sql } from 'kysely'
import type { Api, RouteDeps } from './context.ts'
import { ErrorResponse } from '../schemas/common.ts'
import { ApiError } from '../../domain/errors.ts'

const READY_TIMEOUT_MS = 2000

/** Probes for load balancers and orchestrators: liveness (the process answers) and readiness (the database does). */
export async function operationsRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const tags = ['operations']
  app.get('/healthz', {
    config: { public: true },
    schema: { operationId: 'ShowHealth', tags, response: { 200: Type.Object({ status: Type.String() }) } },
    handler: async () => ({ status: 'ok' }),
  })

  app.get('/readyz', {
    config: { public: true },
    schema: { operationId: 'ShowReadiness', tags, response: { 200: Type.Object({ status: Type.String(), database: Type.String() }), 503: ErrorResponse } },
    handler: async () => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ApiError('databaseUnavailable', `The database did not answer within ${READY_TIMEOUT_MS} ms.`)), READY_TIMEOUT_MS)
      })
      try {
        await Promise.race([sql`select 1`.execute(deps.store.db), timeout])
      } catch (error) {
        if (error instanceof ApiError) throw error
        throw new ApiError('databaseUnavailable', 'The database is not reachable.')
      } finally {
        clearTimeout(timer)
      }
      return { status: 'ready', database: deps.store.dialect }
    },
  })

  app.get('/metrics', {
    config: { public: true },
    schema: { operationId: 'ShowMetrics', tags, description: 'Prometheus text format', response: { 200: Type.String() } },
    handler: async (_request, reply) => {
      const text = await deps.metrics.registry.metrics()
      return reply.type(deps.metrics.registry.contentType).send(text)
    },
  })
}
