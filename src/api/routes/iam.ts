import Type from 'typebox'
import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS } from '../schemas/common.ts'
import { describeToken, issueToken, revokeToken } from '../../identity/tokens.ts'
import { ApiError } from '../../domain/errors.ts'

const Named = Type.Object({ id: Type.Optional(Type.String({ maxLength: 64 })), name: Type.Optional(Type.String({ maxLength: 64 })) })

/** Keystone v3 password authentication, the body IAM clients send (digest §2.1). */
const TokenRequest = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 4 }),
      password: Type.Object({
        user: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
          domain: Named,
        }),
      }),
    }),
    scope: Type.Optional(Type.Object({ project: Type.Optional(Named), domain: Type.Optional(Named) })),
  }),
})

const Ref = Type.Object({ id: Type.String(), name: Type.String() })
const TokenResponse = Type.Object({
  token: Type.Object({
    methods: Type.Array(Type.String()),
    issued_at: Type.String(),
    expires_at: Type.String(),
    user: Type.Object({ id: Type.String(), name: Type.String(), domain: Ref }),
    project: Type.Object({ id: Type.String(), name: Type.String(), domain: Ref }),
    roles: Type.Array(Ref),
    catalog: Type.Array(Type.Unknown()),
  }),
})

const ProjectsResponse = Type.Object({
  projects: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), domain_id: Type.String(), enabled: Type.Boolean(), is_domain: Type.Boolean(), parent_id: Type.String(), description: Type.String() })),
  links: Type.Object({ self: Type.String(), next: Type.Null(), previous: Type.Null() }),
})

function tokenBody(t: { issuedAt: string; expiresAt: string; user: { id: string; name: string }; account: { id: string; name: string }; project: { id: string; name: string } }) {
  const domain = { id: t.account.id, name: t.account.name }
  return {
    token: {
      methods: ['password'],
      issued_at: t.issuedAt,
      expires_at: t.expiresAt,
      user: { ...t.user, domain },
      project: { ...t.project, domain },
      roles: [{ id: 'vpcep-admin', name: 'te_admin' }],
      catalog: [],
    },
  }
}

/** The IAM calls clients make against the same endpoint: obtain a token, find the project. */
export async function iamRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { store, clock, config } = deps
  const tags = ['iam']

  app.post('/v3/auth/tokens', {
    config: { public: true },
    schema: { operationId: 'KeystoneCreateUserTokenByPassword', tags, body: TokenRequest, response: { 201: TokenResponse, ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      const { identity, scope } = request.body.auth
      if (!identity.methods.includes('password')) throw new ApiError('authenticationFailed', 'Only the password method is supported.')
      const { user } = identity.password
      const issued = await issueToken(store, clock, config.tokenTtlSeconds, {
        userName: user.name,
        password: user.password,
        domainName: user.domain.name,
        domainId: user.domain.id,
        projectId: scope?.project?.id,
        projectName: scope?.project?.name,
      }, deps.signIn, request.ip)
      return reply.code(201).header('x-subject-token', issued.token).send(tokenBody(issued))
    },
  })

  const subjectToken = (headers: Record<string, unknown>): string => {
    const value = headers['x-subject-token']
    if (typeof value !== 'string' || value === '' || value.length > 2048) throw new ApiError('parameterError', 'Give the token in the X-Subject-Token header.')
    return value
  }

  app.get('/v3/auth/tokens', {
    schema: { operationId: 'KeystoneValidateToken', tags, response: { 200: TokenResponse, ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      const token = subjectToken(request.headers)
      const described = await describeToken(store, clock, request.principal!.accountId, token)
      if (!described) throw new ApiError('resourceNotFound', 'The token does not exist, has expired or was revoked.')
      return reply.header('x-subject-token', token).send(tokenBody(described))
    },
  })

  app.delete('/v3/auth/tokens', {
    schema: { operationId: 'KeystoneRevokeToken', tags, response: { 204: Type.Null(), ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      if (!(await revokeToken(store, request.principal!.accountId, subjectToken(request.headers)))) {
        throw new ApiError('resourceNotFound', 'The token does not exist, has expired or was revoked.')
      }
      return reply.code(204).send(null)
    },
  })

  const listProjects = async (request: { principal?: { accountId: string; projectIds: string[] }; query: { name?: string } }) => {
    const principal = request.principal!
    let query = store.db.selectFrom('projects').select(['id', 'name', 'accountId']).where('accountId', '=', principal.accountId).where('id', 'in', principal.projectIds)
    if (request.query.name) query = query.where('name', '=', request.query.name)
    const rows = await query.orderBy('name').execute()
    return {
      projects: rows.map((p) => ({ id: p.id, name: p.name, domain_id: p.accountId, enabled: true, is_domain: false, parent_id: p.accountId, description: '' })),
      links: { self: '/v3/projects', next: null, previous: null },
    }
  }
  const projectsSchema = { tags, querystring: Type.Object({ name: Type.Optional(Type.String({ maxLength: 64 })) }), response: { 200: ProjectsResponse, ...COMMON_ERRORS } }
  app.get('/v3/projects', { schema: { operationId: 'KeystoneListProjects', ...projectsSchema }, handler: listProjects })
  app.get('/v3/auth/projects', { schema: { operationId: 'KeystoneListAuthProjects', ...projectsSchema }, handler: listProjects })
}
