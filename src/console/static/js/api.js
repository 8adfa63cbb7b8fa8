// The console's only way to the server: the public VPCEP API with the signed-in user's token.

const SESSION_KEY = 'vpcep.console.session'

/** An API failure, with what the server said and the request id to quote. */
export class ApiError extends Error {
  constructor({ status, code, serverMessage, requestId }) {
    super(serverMessage || `HTTP ${status}`)
    this.status = status
    this.code = code
    this.serverMessage = serverMessage
    this.requestId = requestId
  }
}

/** The session lives in sessionStorage: this tab only, gone when it closes. It holds a token, never a secret key. */
export function getSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null')
    if (!session?.token || !session.projectId) return null
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) {
      clearSession()
      return null
    }
    return session
  } catch {
    return null
  }
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY)
}

let onExpired = () => {}
/** Called when the server no longer accepts the token (401 on an API call). */
export function onSessionExpired(callback) {
  onExpired = callback
}

async function send(method, path, { body, token } = {}) {
  const headers = { accept: 'application/json' }
  if (token) headers['x-auth-token'] = token
  if (body !== undefined) headers['content-type'] = 'application/json'
  let response
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' })
  } catch {
    throw new ApiError({ status: 0, code: 'network', serverMessage: '', requestId: '' })
  }
  const requestId = response.headers.get('x-request-id') ?? ''
  const text = await response.text()
  let json = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  if (!response.ok) {
    throw new ApiError({
      status: response.status,
      code: json?.error_code ?? json?.error?.code ?? '',
      serverMessage: json?.error_msg ?? json?.error?.message ?? response.statusText,
      requestId: json?.request_id ?? requestId,
    })
  }
  return { json, headers: response.headers }
}

/** Keystone password sign-in (POST /v3/auth/tokens); the token comes back in X-Subject-Token. */
export async function signIn({ accountName, userName, password }) {
  const body = { auth: { identity: { methods: ['password'], password: { user: { name: userName, password, domain: { name: accountName } } } } } }
  const { json, headers } = await send('POST', '/v3/auth/tokens', { body })
  const token = headers.get('x-subject-token')
  if (!token || !json?.token?.project?.id) throw new ApiError({ status: 500, code: 'EndPoint.0001', serverMessage: 'The sign-in answer had no token.', requestId: headers.get('x-request-id') ?? '' })
  const session = {
    token,
    expiresAt: json.token.expires_at,
    projectId: json.token.project.id,
    projectName: json.token.project.name,
    accountId: json.token.user.domain.id,
    accountName: json.token.user.domain.name,
    userName: json.token.user.name,
  }
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session))
  return session
}

/**
 * Calls the API as the signed-in user. `path` may contain `{project}`, replaced by the session's
 * project id. Answers the parsed JSON body (null for 204).
 */
export async function api(method, path, body) {
  const session = getSession()
  if (!session) {
    onExpired()
    throw new ApiError({ status: 401, code: 'EndPoint.0003', serverMessage: 'Not signed in.', requestId: '' })
  }
  const url = path.replace('{project}', encodeURIComponent(session.projectId))
  try {
    return (await send(method, url, { body, token: session.token })).json
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      clearSession()
      onExpired()
    }
    throw error
  }
}

/** Path segment encoding for ids that come from the API or the address bar. */
export const seg = (value) => encodeURIComponent(value)
