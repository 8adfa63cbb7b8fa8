import Type from 'typebox'
import type { Api } from './context.ts'
import { COMMON_ERRORS } from '../schemas/common.ts'

const Link = Type.Object({ href: Type.String(), type: Type.String(), rel: Type.String() })
const VersionObject = Type.Object({
  id: Type.String(),
  status: Type.String(),
  updated: Type.String(),
  version: Type.String(),
  min_version: Type.String(),
  links: Type.Array(Link),
})

const VERSIONS = [{ id: 'v1', status: 'CURRENT', updated: '2018-09-30T00:00:00Z', version: '1', min_version: '' }]

/** Version discovery (digest §4.1). Open without credentials, as API roots usually are (docs/decisions.md). */
export async function versionRoutes(app: Api): Promise<void> {
  const linkFor = (protocol: string, host: string | undefined, id: string) => [
    { href: `${protocol}://${host ?? 'localhost'}/${id}`, type: 'application/json', rel: 'self' },
  ]
  app.get('/', {
    config: { public: true },
    schema: { operationId: 'ListVersionDetails', tags: ['versions'], response: { 200: Type.Object({ versions: Type.Array(VersionObject) }) } },
    handler: async (request) => ({ versions: VERSIONS.map((v) => ({ ...v, links: linkFor(request.protocol, request.headers.host, v.id) })) }),
  })
  app.get('/:version', {
    config: { public: true },
    schema: {
      operationId: 'ListSpecifiedVersionDetails',
      tags: ['versions'],
      params: Type.Object({ version: Type.String({ maxLength: 64 }) }),
      response: { 200: Type.Object({ version: VersionObject }), ...COMMON_ERRORS },
    },
    handler: async (request, reply) => {
      const version = VERSIONS.find((v) => v.id === request.params.version)
      if (!version) return reply.callNotFound()
      return { version: { ...version, links: linkFor(request.protocol, request.headers.host, version.id) } }
    },
  })
}
