// Pre-signed requests for the benchmarks: SDK-HMAC-SHA256 as the SDKs send it, made once before a
// measurement so the load itself does no signing.
import { EMPTY_BODY_SHA256, canonicalQueryFromRaw, formatSdkDate, sha256Hex, signatureOf, stringToSign } from '../src/identity/signature.ts'

export interface Key {
  accessKey: string
  secretKey: string
  projectId: string
}

export interface Prepared {
  method: string
  path: string
  headers: Record<string, string>
  body?: string
}

/** Signs a request as the SDKs do (SDK-HMAC-SHA256 over host, content-type, x-project-id and x-sdk-date). */
export function sign(key: Key, host: string, method: string, pathAndQuery: string, body: unknown, date: Date): Prepared {
  const sdkDate = formatSdkDate(date)
  const text = body === undefined ? undefined : JSON.stringify(body)
  const headers: Record<string, string> = { host, 'content-type': 'application/json', 'x-project-id': key.projectId, 'x-sdk-date': sdkDate }
  const signedHeaders = Object.keys(headers).sort()
  const q = pathAndQuery.indexOf('?')
  const toSign = stringToSign(
    {
      method,
      rawPath: q < 0 ? pathAndQuery : pathAndQuery.slice(0, q),
      canonicalQuery: canonicalQueryFromRaw(q < 0 ? '' : pathAndQuery.slice(q + 1)),
      signedHeaders,
      headerValues: headers,
      payloadHash: text === undefined ? EMPTY_BODY_SHA256 : sha256Hex(text),
    },
    sdkDate,
  )
  headers.authorization = `SDK-HMAC-SHA256 Access=${key.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signatureOf(key.secretKey, toSign)}`
  return text === undefined ? { method, path: pathAndQuery, headers } : { method, path: pathAndQuery, headers, body: text }
}

/** `count` signed copies of one request, each with its own X-Sdk-Date (one second apart, centred on now). */
export function variants<T = Prepared>(count: number, make: (date: Date, i: number) => T): T[] {
  const now = Date.now()
  return Array.from({ length: count }, (_, i) => make(new Date(now + (i - Math.floor(count / 2)) * 1000), i))
}
