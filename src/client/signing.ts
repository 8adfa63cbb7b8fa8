import { canonicalQuery, formatSdkDate, sha256Hex, signatureOf, stringToSign, ALGORITHM, EMPTY_BODY_SHA256 } from '../identity/signature.ts'

/*
 * Request signing as the official SDK does it (digest §2.2), on top of the one SDK-HMAC-SHA256
 * implementation the server verifies with (src/identity/signature.ts).
 */

export interface AkSk {
  accessKey: string
  secretKey: string
  /** Temporary credentials only: sent (and signed) as X-Security-Token. */
  securityToken?: string
}

export interface SignInput {
  method: string
  /** The full request URL: path already percent-encoded, query as it goes on the wire. */
  url: URL
  /** Headers to send; every one of them is signed (the SDK signs all headers present at signing time). */
  headers: Record<string, string>
  /** The body exactly as it will be sent; hashed as is. */
  body: string | undefined
  credentials: AkSk
  /** Signing time; default now. */
  date?: Date
}

/**
 * Answers the headers to send: the input headers plus `X-Sdk-Date`, `host` (host[:port] of the URL, the
 * port only when explicit) and `Authorization`. The canonical query is built from the decoded pairs,
 * sorted as text, then RFC 3986-encoded, whatever the wire form of the query.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const headers: Record<string, string> = { ...input.headers }
  if (input.credentials.securityToken) headers['X-Security-Token'] = input.credentials.securityToken
  const sdkDate = formatSdkDate(input.date ?? new Date())
  headers['X-Sdk-Date'] = sdkDate
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'host')) headers.host = input.url.host

  const headerValues: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) headerValues[name.toLowerCase()] = value
  const signedHeaders = Object.keys(headerValues).sort()
  const pairs: Array<[string, string]> = [...input.url.searchParams.entries()]
  const payloadHash = input.body === undefined || input.body === '' ? EMPTY_BODY_SHA256 : sha256Hex(input.body)
  const toSign = stringToSign(
    { method: input.method, rawPath: input.url.pathname, canonicalQuery: canonicalQuery(pairs), signedHeaders, headerValues, payloadHash },
    sdkDate,
  )
  const signature = signatureOf(input.credentials.secretKey, toSign)
  headers.Authorization = `${ALGORITHM} Access=${input.credentials.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`
  return headers
}
