import { ApiError } from '../domain/errors.ts'

/**
 * Runs at most `concurrency` jobs at once and lets at most `maxWaiting` more wait; past that a job is
 * refused at once (429, retry in 1 s). Password hashing is what it bounds: scrypt is built to be costly,
 * so unbounded, a burst of sign-ins would hold every core and starve all other requests.
 */
export class BoundedWork {
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    private readonly what: string,
  ) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw Object.assign(new ApiError('throttled', `Too many ${this.what} are in progress; retry in 1 s.`, 429), { retryAfter: 1 })
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else {
      this.running++
    }
    try {
      return await job()
    } finally {
      // The slot passes straight to the next waiter, so `running` only drops when nobody waits.
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }
}
