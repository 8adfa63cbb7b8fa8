import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../domain/errors.ts'
import type { Scope } from '../model/resources.ts'
import type { Authenticator, Principal } from '../identity/authenticate.ts'
import type { RateLimiter } from './rate-limit.ts'

const SCOPE = Symbol('scope')
interface ScopeHolder {
  [SCOPE]?: Scope
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal
    /** The account and project every domain call of this request is confined to. */
    scope: Scope
  }
  interface FastifyContextConfig {
    /** Routes open without credentials: version discovery, token issue, health. */
    public?: boolean
  }
}

/**
 * Authenticates every non-public route before its input is validated, so an unauthenticated caller
 * learns nothing from validation errors; then confines the request to the path's project.
 */
export function registerAuthentication(app: FastifyInstance, authenticator: Authenticator, limiter?: RateLimiter): void {
  app.decorateRequest('principal', undefined)
  app.decorateRequest('scope', {
    getter(this: FastifyRequest & ScopeHolder): Scope {
      // A route outside a project (public, or without project_id) has no scope: asking for one is a bug, not an empty scope.
      const scope = this[SCOPE]
      if (scope === undefined) throw new Error(`${this.method} ${this.routeOptions.url} has no project scope`)
      return scope
    },
    setter(this: FastifyRequest & ScopeHolder, scope: Scope) {
      this[SCOPE] = scope
    },
  })
  app.addHook('preValidation', async (request) => {
    // Unknown routes answer 404/405 to anyone, as the gateway does.
    if (!request.is404 && !request.routeOptions.config.public) {
      const principal = await authenticator.authenticate({
        method: request.method,
        rawUrl: request.raw.url ?? '/',
        headers: request.headers,
        rawBody: request.rawBody,
      })
      request.principal = principal
      limiter?.take(principal.accountId)
      const projectId = (request.params as { project_id?: string } | undefined)?.project_id
      if (projectId !== undefined) {
        if (!principal.projectIds.includes(projectId)) {
          request.log.warn({ accountId: principal.accountId }, 'request for a project outside the credential')
          throw new ApiError('forbidden', `Project ${projectId} is not a project of the caller.`)
        }
        const headerProject = request.headers['x-project-id']
        if (headerProject !== undefined && headerProject !== projectId) {
          throw new ApiError('forbidden', 'X-Project-Id does not match the project in the path.')
        }
        request.scope = { accountId: principal.accountId, projectId }
      }
    }
    if (request.bodyError) throw request.bodyError
  })
}
