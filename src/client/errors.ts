/** Failures the client reports: the API answered with an error, or it could not be reached at all. */

/** The API answered 4xx/5xx. Carries both error body shapes' values (digest §3.1) and the request id. */
export class VpcepApiError extends Error {
  override readonly name = 'VpcepApiError'

  constructor(
    /** HTTP status. */
    readonly status: number,
    /** `error_code` (or `error.code`), e.g. `EndPoint.0005`; `''` when the body had none. */
    readonly errorCode: string,
    /** `error_msg` (or `error.message`); the HTTP status text when the body had none. */
    readonly errorMsg: string,
    /** `X-Request-Id` of the response (or `request_id` of the body); `''` when absent. */
    readonly requestId: string,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${status}${errorCode ? ` ${errorCode}` : ''}: ${errorMsg}`)
  }

  get isNotFound(): boolean {
    return this.status === 404
  }

  get isAuthError(): boolean {
    return this.status === 401 || this.status === 403
  }

  get isServerError(): boolean {
    return this.status >= 500
  }
}

/** No HTTP answer: connection refused, DNS failure, reset, timeout. `code` is Node's (ECONNREFUSED…). */
export class VpcepNetworkError extends Error {
  override readonly name = 'VpcepNetworkError'

  constructor(
    readonly code: string,
    readonly url: string,
    message: string,
  ) {
    super(message)
  }
}

/** A `wait…` helper gave up: the deadline passed, or the resource reached a state it cannot leave for the target. */
export class VpcepWaitError extends Error {
  override readonly name = 'VpcepWaitError'

  constructor(
    readonly reason: 'timeout' | 'failed',
    /** The last status seen (`''` when none was). */
    readonly lastStatus: string,
    message: string,
  ) {
    super(message)
  }
}
