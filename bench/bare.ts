// Baseline servers of the benchmark: a bare node:http server answering a JSON body of a set size, with
// no framework, no database and no routing. BARE_MODE=plain answers every request; BARE_MODE=verify first
// checks the request as lean as it can be done: the SDK-HMAC-SHA256 signature with src/identity/signature.ts
// and the secret keys held in memory (BARE_KEYS, {access key: secret key}), or an X-Auth-Token by its
// SHA-256 in memory (BARE_TOKENS). Every request is verified in full; nothing is cached.
// Prints `listening <port>` once ready. PUT /__bench/size?bytes=N sets the size of the answer.
import http from 'node:http'
import { hashToken } from '../src/identity/accounts.ts'
import {
  MAX_CLOCK_SKEW_MS,
  canonicalQueryFromRaw,
  parseAuthorization,
  parseSdkDate,
  payloadHashOf,
  signatureOf,
  signaturesEqual,
  stringToSign,
} from '../src/identity/signature.ts'

const verify = process.env.BARE_MODE === 'verify'
const keys = new Map<string, string>(Object.entries(JSON.parse(process.env.BARE_KEYS ?? '{}') as Record<string, string>))
const tokens = new Set<string>(JSON.parse(process.env.BARE_TOKENS ?? '[]') as string[])

function jsonOfSize(bytes: number): Buffer {
  const pad = Math.max(0, bytes - '{"pad":""}'.length)
  return Buffer.from(`{"pad":"${'x'.repeat(pad)}"}`)
}

let answer = jsonOfSize(1024)
const denied = Buffer.from('{"error_code":"EndPoint.0003"}')

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The lean check: what authentication must do at the least, with the keys in memory. */
function authentic(request: http.IncomingMessage, body: Buffer): boolean {
  const authorization = header(request, 'authorization')
  if (!authorization) {
    const token = header(request, 'x-auth-token')
    return token !== undefined && tokens.has(hashToken(token))
  }
  const parsed = parseAuthorization(authorization)
  if (!parsed || !parsed.signedHeaders.includes('x-sdk-date') || !parsed.signedHeaders.includes('host')) return false
  const headerValues: Record<string, string> = {}
  for (const name of parsed.signedHeaders) {
    const value = header(request, name)
    if (value === undefined) return false
    headerValues[name] = value
  }
  const sdkDate = headerValues['x-sdk-date']!.trim()
  const signedAt = parseSdkDate(sdkDate)
  if (!signedAt || Math.abs(Date.now() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) return false
  const secretKey = keys.get(parsed.accessKey)
  if (secretKey === undefined) return false
  const url = request.url ?? '/'
  const q = url.indexOf('?')
  // The same rule as the server: a declared body hash counts only when signed, and must be the body's.
  const payload = payloadHashOf(body, headerValues['x-sdk-content-sha256'], false)
  if ('refused' in payload) return false
  const toSign = stringToSign(
    {
      method: request.method ?? 'GET',
      rawPath: q < 0 ? url : url.slice(0, q),
      canonicalQuery: canonicalQueryFromRaw(q < 0 ? '' : url.slice(q + 1)),
      signedHeaders: parsed.signedHeaders,
      headerValues,
      payloadHash: payload.hash,
    },
    sdkDate,
  )
  return signaturesEqual(signatureOf(secretKey, toSign), parsed.signature)
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    const body = chunks.length === 0 ? Buffer.alloc(0) : Buffer.concat(chunks)
    if (request.method === 'PUT' && request.url?.startsWith('/__bench/size?bytes=')) {
      answer = jsonOfSize(Number(request.url.slice('/__bench/size?bytes='.length)))
      response.writeHead(204).end()
      return
    }
    if (verify && !authentic(request, body)) {
      response.writeHead(401, { 'content-type': 'application/json', 'content-length': denied.length }).end(denied)
      return
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number }
  process.stdout.write(`listening ${address.port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
