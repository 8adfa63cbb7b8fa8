import { VpcepApiError, VpcepNetworkError, VpcepWaitError } from '../client/errors.ts'

/**
 * Exit codes scripts can rely on (docs/cli.md):
 * 0 ok · 1 API or client error (4xx other than below) · 2 usage · 3 not found (404) · 4 auth (401/403)
 * · 5 server or network (5xx, connection refused, timeouts).
 */
export const EXIT = { ok: 0, error: 1, usage: 2, notFound: 3, auth: 4, unavailable: 5 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** A failure already phrased for the person at the terminal, with the exit code it means. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message)
  }
}

/** The command line itself is wrong (a missing option, a malformed value, no credentials): exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage)
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode
  if (error instanceof VpcepApiError) {
    if (error.status === 404) return EXIT.notFound
    if (error.status === 401 || error.status === 403) return EXIT.auth
    if (error.status >= 500) return EXIT.unavailable
    return EXIT.error
  }
  if (error instanceof VpcepNetworkError) return EXIT.unavailable
  if (error instanceof VpcepWaitError) return error.reason === 'timeout' ? EXIT.unavailable : EXIT.error
  return EXIT.error
}
