import { createHash, timingSafeEqual } from 'node:crypto'
import Type from 'typebox'
import type { Api, RouteDeps } from './context.ts'
import { ErrorResponse, Id, StringEnum } from '../schemas/common.ts'
import { ApiError } from '../../domain/errors.ts'
import { TRANSITION_MODES, TRANSITION_TYPES } from '../../domain/transitions.ts'
import { AccountNotFoundError, resetPassword, showAccount } from '../../identity/accounts.ts'

const Setting = Type.Object({ mode: StringEnum(TRANSITION_MODES), delay_ms: Type.Integer({ minimum: 0, maximum: 86_400_000 }) })
const SettingsResponse = Type.Object({ endpoint_service: Setting, endpoint: Setting })
const TypeParams = Type.Object({ resource_type: StringEnum(TRANSITION_TYPES, { 'x-vpcep-error': 'EndPoint.3070' }) })
const ResourceParams = Type.Object({ resource_type: StringEnum(TRANSITION_TYPES, { 'x-vpcep-error': 'EndPoint.3070' }), resource_id: Id })
const StatusResponse = Type.Object({ id: Type.String(), status: Type.String() })
const AccountParams = Type.Object({ account_name: Type.String({ minLength: 1, maxLength: 64 }) })
const AccountResponse = Type.Object({
  domain_id: Type.String(),
  domain_name: Type.String(),
  project_id: Type.String(),
  project_name: Type.String(),
  user_id: Type.String(),
  user_name: Type.String(),
  access_keys: Type.Array(Type.String()),
  created_at: Type.String(),
})
const NewPasswordResponse = Type.Object({ domain_id: Type.String(), domain_name: Type.String(), project_id: Type.String(), user_name: Type.String(), password: Type.String() })
const Backend = Type.Object({ port_id: Type.String(), address: Type.String(), updated_at: Type.String() })
const BackendParams = Type.Object({ port_id: Type.String({ minLength: 1, maxLength: 64 }) })
const ADMIN_ERRORS = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse }

/** The account operations answer 404 EndPoint.xxxx like any unknown resource. */
async function ofAccount<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof AccountNotFoundError) throw new ApiError('resourceNotFound', `There is no account named ${JSON.stringify(name)}.`)
    throw error
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Compares digests, not the texts: equal lengths always, so the time taken tells nothing of the token's length. */
function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false
  return timingSafeEqual(digest(expected), digest(given))
}

/**
 * Test support for users' own suites: choose how async transitions run (immediate, timed, manual),
 * advance a manual one, or make a resource fail with error entries. Registered only when
 * VPCEP_ADMIN_TOKEN is set; every call carries that token in X-Admin-Token. Not part of the VPCEP API.
 */
export async function adminRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const token = deps.config.adminToken
  if (token === undefined) return
  const { admin, backends } = deps
  const tags = ['admin']
  // onRequest, before the body is read: a caller without the token learns nothing from body errors.
  app.addHook('onRequest', async (request) => {
    if (!tokenMatches(token, request.headers['x-admin-token'])) throw new ApiError('authenticationFailed', 'The admin API needs the X-Admin-Token header.')
  })

  app.get('/admin/v1/transitions', {
    config: { public: true },
    schema: { operationId: 'AdminShowTransitions', tags, response: { 200: SettingsResponse, ...ADMIN_ERRORS } },
    handler: async () => admin.transitionSettings(),
  })

  app.put('/admin/v1/transitions/:resource_type', {
    config: { public: true },
    schema: { operationId: 'AdminSetTransitions', tags, params: TypeParams, body: Type.Object({ mode: StringEnum(TRANSITION_MODES), delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })) }), response: { 200: SettingsResponse, ...ADMIN_ERRORS } },
    handler: async (request) => admin.setTransitions(request.params.resource_type, request.body.mode, request.body.delay_ms ?? 0),
  })

  app.delete('/admin/v1/transitions', {
    config: { public: true },
    schema: { operationId: 'AdminResetTransitions', tags, response: { 200: SettingsResponse, ...ADMIN_ERRORS } },
    handler: async () => admin.resetTransitions(),
  })

  app.post('/admin/v1/:resource_type/:resource_id/advance', {
    config: { public: true },
    schema: { operationId: 'AdminAdvanceTransition', tags, params: ResourceParams, response: { 200: StatusResponse, ...ADMIN_ERRORS } },
    handler: async (request) => admin.advance(request.params.resource_type, request.params.resource_id),
  })

  app.post('/admin/v1/:resource_type/:resource_id/fail', {
    config: { public: true },
    schema: {
      operationId: 'AdminFailResource',
      tags,
      params: ResourceParams,
      body: Type.Object(
        { errors: Type.Array(Type.Object({ code: Type.String({ minLength: 1, maxLength: 10 }), message: Type.String({ maxLength: 1024 }) }), { minItems: 1, maxItems: 10 }) },
      ),
      response: { 200: StatusResponse, ...ADMIN_ERRORS },
    },
    handler: async (request) => admin.fail(request.params.resource_type, request.params.resource_id, request.body.errors),
  })

  app.get('/admin/v1/accounts/:account_name', {
    config: { public: true },
    schema: { operationId: 'AdminShowAccount', tags, params: AccountParams, response: { 200: AccountResponse, ...ADMIN_ERRORS } },
    handler: async (request) => {
      const a = await ofAccount(request.params.account_name, () => showAccount(deps.store, request.params.account_name))
      return { domain_id: a.domainId, domain_name: a.domainName, project_id: a.projectId, project_name: a.projectName, user_id: a.userId, user_name: a.userName, access_keys: a.accessKeys, created_at: a.createdAt }
    },
  })

  app.post('/admin/v1/accounts/:account_name/reset-password', {
    config: { public: true },
    schema: { operationId: 'AdminResetPassword', tags, params: AccountParams, response: { 200: NewPasswordResponse, ...ADMIN_ERRORS } },
    handler: async (request, reply) => {
      // The answer holds a password: no cache along the way may keep it.
      reply.header('cache-control', 'no-store')
      const r = await ofAccount(request.params.account_name, () => resetPassword(deps.store, request.params.account_name))
      return { domain_id: r.domainId, domain_name: r.domainName, project_id: r.projectId, user_name: r.userName, password: r.password }
    },
  })

  // The data plane's backends: where a service's port_id really is (docs/dataplane.md).
  const wireBackend = (b: { portId: string; address: string; updatedAt: string }) => ({ port_id: b.portId, address: b.address, updated_at: b.updatedAt })

  app.get('/admin/v1/backends', {
    config: { public: true },
    schema: { operationId: 'AdminListBackends', tags, response: { 200: Type.Object({ backends: Type.Array(Backend) }), ...ADMIN_ERRORS } },
    handler: async () => ({ backends: (await backends.list()).map(wireBackend) }),
  })

  app.put('/admin/v1/backends/:port_id', {
    config: { public: true },
    schema: { operationId: 'AdminSetBackend', tags, params: BackendParams, body: Type.Object({ address: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }), response: { 200: Backend, ...ADMIN_ERRORS } },
    handler: async (request) => wireBackend(await backends.set(request.params.port_id, request.body.address)),
  })

  app.delete('/admin/v1/backends/:port_id', {
    config: { public: true },
    schema: { operationId: 'AdminRemoveBackend', tags, params: BackendParams, response: { 204: Type.Null(), ...ADMIN_ERRORS } },
    handler: async (request, reply) => {
      if (!(await backends.remove(request.params.port_id))) throw new ApiError('resourceNotFound', `No backend mapping for port ${request.params.port_id}.`)
      return reply.code(204).send(null)
    },
  })
}
