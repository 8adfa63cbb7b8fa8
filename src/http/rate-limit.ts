import { ApiError } from '../domain/errors.ts'

/**
 * Per-account token buckets: `ratePerSecond` sustained, `burst` at once. Kept in this process, so with N
 * instances an account may reach N times the rate (docs/operations.md). Idle buckets are dropped.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>()
  private lastSweepMs = 0

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request's token for `key`, or throws 429 EndPoint.0022 with the seconds to wait. */
  take(key: string): void {
    const now = this.now()
    this.sweep(now)
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedMs: now }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.ratePerSecond)
    bucket.updatedMs = now
    this.buckets.set(key, bucket)
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond))
      throw Object.assign(new ApiError('throttled', `This account may send ${this.ratePerSecond} requests per second (bursts of ${this.burst}); retry in ${retryAfter} s.`, 429), { retryAfter })
    }
    bucket.tokens -= 1
  }

  private sweep(now: number): void {
    if (now - this.lastSweepMs < 60_000) return
    this.lastSweepMs = now
    const fullAfterMs = (this.burst / this.ratePerSecond) * 1000
    for (const [key, bucket] of this.buckets) if (now - bucket.updatedMs > fullAfterMs) this.buckets.delete(key)
  }
}
