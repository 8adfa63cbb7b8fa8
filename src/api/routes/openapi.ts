import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import type { FastifyInstance, FastifySchema } from 'fastify'
import type { Api } from './context.ts'
import { projectVersion } from '../../project-root.ts'

/** Security scheme names, used as the keys of `components.securitySchemes`. */
const TOKEN = 'X-Auth-Token'
const AKSK = 'SDK-HMAC-SHA256'

const SIGNING = [
  'AK/SK request signature of Huawei Cloud API Gateway: `Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>`.',
  'The signed string is `SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<hex SHA-256 of the canonical request>`, and the signature is the hex HMAC-SHA256 of it under the secret key.',
  'The canonical request is the method, the URI path (every segment RFC 3986 encoded, ending in `/`), the query (encoded, sorted by name then value),',
  'the signed headers as lower-case `name:value` lines, the `;`-joined signed header names, and the hex SHA-256 of the body (or of `X-Sdk-Content-Sha256`).',
  'SignedHeaders must include `host` and `x-sdk-date`; `X-Sdk-Date` (YYYYMMDDTHHMMSSZ, UTC) must be within 15 minutes of the server clock.',
].join(' ')

export const swaggerOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.0.3',
    info: {
      title: 'vpcep — Huawei Cloud VPCEP API',
      version: projectVersion(),
      description: 'Self-hostable VPC Endpoint control plane that speaks the Huawei Cloud VPCEP API.',
    },
    components: {
      securitySchemes: {
        [TOKEN]: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'IAM token from POST /v3/auth/tokens (the X-Subject-Token response header).' },
        [AKSK]: { type: 'apiKey', in: 'header', name: 'Authorization', description: SIGNING },
      },
    },
    security: [{ [TOKEN]: [] }, { [AKSK]: [] }],
  },
  // Routes open without credentials (`config: { public: true }`) say so in the document.
  transform: ({ schema, url, route }) => {
    const base: FastifySchema = schema ?? {}
    return { schema: route.config?.public ? ({ ...base, security: [] } as FastifySchema) : base, url }
  },
}

/** Registers the OpenAPI generator; must run before any route is registered (it collects them in onRoute). */
export function registerOpenApi(server: FastifyInstance): void {
  server.register(swagger, swaggerOptions)
}

/** `GET /openapi.json`: the API description generated from the route schemas. Public; not itself documented. */
export async function openapiRoutes(app: Api): Promise<void> {
  app.get('/openapi.json', {
    config: { public: true },
    schema: { hide: true },
    handler: async () => app.swagger(),
  })
}

/** JSON with object keys sorted at every level, two-space indented, newline-terminated: the committed form. */
export function serializeOpenApi(document: unknown): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted)
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
      )
    }
    return value
  }
  return `${JSON.stringify(sorted(document), null, 2)}\n`
}
