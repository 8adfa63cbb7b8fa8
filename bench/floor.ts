// A reference point, not vpcep: Fastify with the same lean signature check as bench/bare.ts (keys in memory),
// answering the GET route with a body of BARE_SIZE bytes and no database. What any Fastify-based server
// reaches at best on this machine, before its own work. Prints `listening <port>`.
import Fastify from 'fastify'
import { EMPTY_BODY_SHA256, canonicalQueryFromRaw, parseAuthorization, parseSdkDate, signatureOf, signaturesEqual, stringToSign } from '../src/identity/signature.ts'
const keys = new Map<string, string>(Object.entries(JSON.parse(process.env.BARE_KEYS ?? '{}')))
const app = Fastify({ logger: false })
const body = { pad: 'x'.repeat(Math.max(0, Number(process.env.BARE_SIZE ?? 1024) - '{"pad":""}'.length)) }
app.addHook('preValidation', async (request) => {
  const parsed = parseAuthorization(String(request.headers.authorization))!
  const headerValues: Record<string, string> = {}
  for (const name of parsed.signedHeaders) headerValues[name] = String(request.headers[name])
  const sdkDate = headerValues['x-sdk-date']!
  if (!parseSdkDate(sdkDate)) throw new Error('bad date')
  const url = request.raw.url ?? '/'
  const q = url.indexOf('?')
  const toSign = stringToSign({ method: request.method, rawPath: q < 0 ? url : url.slice(0, q), canonicalQuery: canonicalQueryFromRaw(q < 0 ? '' : url.slice(q + 1)), signedHeaders: parsed.signedHeaders, headerValues, payloadHash: EMPTY_BODY_SHA256 }, sdkDate)
  const secretKey = keys.get(parsed.accessKey)
  if (secretKey === undefined || !signaturesEqual(signatureOf(secretKey, toSign), parsed.signature)) throw new Error('bad signature')
})
app.get('/v1/:project_id/vpc-endpoint-services/:id', async () => body)
await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`)
