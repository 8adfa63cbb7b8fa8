import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FailureThrottle, type ThrottleKey } from '../../src/identity/throttle.ts'
import { BoundedWork } from '../../src/identity/work-queue.ts'
import { ApiError } from '../../src/domain/errors.ts'

const user = (name: string): ThrottleKey => ({ key: `user:${name}`, weight: 1, resetOnSuccess: true, countInFlight: true })
const address = (ip: string): ThrottleKey => ({ key: `address:${ip}`, weight: 4, resetOnSuccess: false, countInFlight: true })
const accessKey = (ak: string): ThrottleKey => ({ key: `access-key:${ak}`, weight: 1, resetOnSuccess: true, countInFlight: false })

function waitOf(call: () => unknown): number | undefined {
  try {
    call()
    return undefined
  } catch (error) {
    assert.ok(error instanceof ApiError)
    assert.equal(error.status, 429)
    assert.equal(error.code, 'EndPoint.0022')
    return (error as ApiError & { retryAfter: number }).retryAfter
  }
}

describe('FailureThrottle', () => {
  const setup = () => {
    let now = 1_000_000
    const throttle = new FailureThrottle({ failuresBeforeBackoff: 3, maxBackoffSeconds: 10 }, () => now)
    return { throttle, advance: (ms: number) => (now += ms) }
  }

  it('lets a key fail its allowance freely, then doubles the wait up to the cap', () => {
    const { throttle, advance } = setup()
    for (let i = 0; i < 3; i++) throttle.begin([user('a')], 'x').failed()
    const waits: Array<number | undefined> = []
    for (let i = 0; i < 6; i++) {
      const wait = waitOf(() => throttle.begin([user('a')], 'x'))
      waits.push(wait)
      advance((wait ?? 0) * 1000)
      throttle.begin([user('a')], 'x').failed()
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 10, 10])
  })

  it('once a key has failed, counts attempts still being checked, so a burst cannot slip past the allowance', () => {
    const { throttle } = setup()
    // No failure yet: honest parallel attempts are not held back.
    const parallel = [0, 1, 2, 3, 4].map(() => throttle.begin([user('b')], 'x'))
    for (const attempt of parallel.slice(0, 4)) attempt.succeeded()
    parallel[4]!.failed()
    const inFlight = [0, 1].map(() => throttle.begin([user('b')], 'x'))
    assert.equal(waitOf(() => throttle.begin([user('b')], 'x')), 1, '1 failure + 2 being checked = the allowance of 3')
    inFlight[0]!.abandoned()
    const third = throttle.begin([user('b')], 'x') // the abandoned one gave its place back
    assert.equal(waitOf(() => throttle.begin([user('b')], 'x')), 1)
    for (const attempt of [inFlight[1]!, third]) attempt.failed()
    assert.equal(waitOf(() => throttle.begin([user('b')], 'x')), 1)
  })

  it('never holds back parallel attempts of a key that does not count them', () => {
    const { throttle } = setup()
    throttle.begin([accessKey('k')], 'x').failed()
    const parallel = Array.from({ length: 10 }, () => throttle.begin([accessKey('k')], 'x'))
    for (const attempt of parallel) attempt.succeeded()
    assert.equal(throttle.size, 0)
  })

  it("resets a user's failures on success but lets an address's only age out (15 minutes)", () => {
    const { throttle, advance } = setup()
    for (let i = 0; i < 11; i++) throttle.begin([user(`u${i}`), address('10')], 'x').failed()
    throttle.begin([user('u0'), address('10')], 'x').succeeded()
    throttle.begin([user('u0')], 'x').failed() // u0 starts again from nothing: 1 of 3
    assert.equal(waitOf(() => throttle.begin([user('u0')], 'x')), undefined)
    throttle.begin([user('z'), address('10')], 'x').failed() // the 12th failure of the address: now it waits
    assert.equal(waitOf(() => throttle.begin([user('new'), address('10')], 'x')), 1)
    advance(15 * 60 * 1000 + 1)
    assert.equal(waitOf(() => throttle.begin([user('new'), address('10')], 'x')), undefined)
  })

  it('forgets keys that succeed at once and bounds how many it remembers', () => {
    const { throttle } = setup()
    throttle.begin([user('ok')], 'x').succeeded()
    assert.equal(throttle.size, 0)
    for (let i = 0; i < 100_050; i++) throttle.begin([user(`random${i}`)], 'x').failed()
    assert.equal(throttle.size, 100_000)
  })

  it('settles an attempt once: a second call changes nothing', () => {
    const { throttle } = setup()
    const attempt = throttle.begin([user('c')], 'x')
    attempt.failed()
    attempt.failed()
    attempt.succeeded()
    for (let i = 0; i < 2; i++) throttle.begin([user('c')], 'x').failed()
    assert.equal(waitOf(() => throttle.begin([user('c')], 'x')), 1)
  })
})

describe('BoundedWork', () => {
  it('runs at most `concurrency` jobs, queues `maxWaiting`, refuses the rest at once, and runs every queued job', async () => {
    const work = new BoundedWork(2, 3, 'checks')
    let running = 0
    let most = 0
    const releases: Array<() => void> = []
    const job = () =>
      new Promise<number>((resolve) => {
        running++
        most = Math.max(most, running)
        releases.push(() => {
          running--
          resolve(running)
        })
      })
    const accepted = Array.from({ length: 5 }, () => work.run(job))
    await assert.rejects(work.run(job), (error: ApiError & { retryAfter?: number }) => error.status === 429 && error.retryAfter === 1 && /Too many checks are in progress/.test(error.message))
    for (let done = 0; done < 5; done++) {
      await new Promise((resolve) => setImmediate(resolve))
      releases.shift()!()
    }
    await Promise.all(accepted)
    assert.equal(most, 2)
    assert.equal(running, 0)
    assert.equal(await work.run(async () => 'free again'), 'free again')
  })

  it('frees its slot when a job fails', async () => {
    const work = new BoundedWork(1, 0, 'checks')
    await assert.rejects(work.run(async () => Promise.reject(new Error('boom'))), /boom/)
    assert.equal(await work.run(async () => 7), 7)
  })
})
