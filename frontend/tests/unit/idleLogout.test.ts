import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IDLE_LIMIT_MS, watchIdle } from '@/composables/useIdleLogout'

describe('R-SEC-05: idle logout after 15 minutes', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('is 15 minutes', () => {
    expect(IDLE_LIMIT_MS).toBe(15 * 60 * 1000)
  })

  it('ends the session after 15 minutes without input, once', () => {
    const target = new EventTarget()
    const onIdle = vi.fn()
    watchIdle(onIdle, IDLE_LIMIT_MS, target)
    vi.advanceTimersByTime(IDLE_LIMIT_MS - 1)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
    target.dispatchEvent(new Event('keydown')) // no longer watched
    vi.advanceTimersByTime(IDLE_LIMIT_MS * 2)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })

  it('starts the wait again at every input', () => {
    const target = new EventTarget()
    const onIdle = vi.fn()
    watchIdle(onIdle, IDLE_LIMIT_MS, target)
    for (const name of ['pointerdown', 'keydown', 'wheel', 'scroll']) {
      vi.advanceTimersByTime(IDLE_LIMIT_MS - 1000)
      target.dispatchEvent(new Event(name))
    }
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(IDLE_LIMIT_MS)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })

  it('stops watching when the layout goes away', () => {
    const target = new EventTarget()
    const onIdle = vi.fn()
    const stop = watchIdle(onIdle, IDLE_LIMIT_MS, target)
    stop()
    vi.advanceTimersByTime(IDLE_LIMIT_MS * 2)
    expect(onIdle).not.toHaveBeenCalled()
  })
})
