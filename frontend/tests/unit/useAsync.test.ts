import { beforeEach, describe, expect, it, vi } from 'vitest'
import { errorMessage, useAsync } from '@/composables/useAsync'
import { ApiError, mapError } from '@/api/request'
import { setLocale } from '@/locales'

describe('errorMessage', () => {
  beforeEach(() => setLocale('zh-CN'))

  it('shows the translated message the request client put on its ApiError', () => {
    expect(errorMessage(mapError(409, { code: 'conflict' }))).toBe('工单已被他人更新，请刷新')
  })

  it('shows the message of any other Error and the text of anything else thrown', () => {
    expect(errorMessage(new TypeError('boom'))).toBe('boom')
    expect(errorMessage('plain text')).toBe('plain text')
    expect(errorMessage(42)).toBe('42')
  })
})

describe('useAsync', () => {
  it('is loading while the step runs and hands back its value', async () => {
    const { loading, error, run } = useAsync()
    let release: (v: string) => void = () => undefined
    const pending = run(() => new Promise<string>((r) => (release = r)))
    expect(loading.value).toBe(true)
    release('done')
    expect(await pending).toBe('done')
    expect(loading.value).toBe(false)
    expect(error.value).toBe('')
  })

  it('turns a failure into the user message, never rethrows, and stops loading', async () => {
    const { loading, error, run } = useAsync()
    const value = await run(() => Promise.reject(new ApiError(403, 'forbidden', '没有权限执行此操作')))
    expect(value).toBeUndefined()
    expect(error.value).toBe('没有权限执行此操作')
    expect(loading.value).toBe(false)
  })

  it('clears the previous message when it runs again', async () => {
    const { error, run } = useAsync()
    await run(() => Promise.reject(new Error('first')))
    expect(error.value).toBe('first')
    const seen: string[] = []
    await run(async () => void seen.push(error.value))
    expect(seen).toEqual([''])
    expect(error.value).toBe('')
  })

  it('lets the caller word some errors itself, show none, or fall back to the default', async () => {
    const { error, run } = useAsync()
    const notFound = (e: unknown) => (e instanceof ApiError && e.status === 404 ? '找不到' : undefined)
    await run(() => Promise.reject(new ApiError(404, 'not_found', 'x')), { onError: notFound })
    expect(error.value).toBe('找不到')
    await run(() => Promise.reject(new ApiError(500, 'internal', '服务器内部错误')), { onError: notFound })
    expect(error.value).toBe('服务器内部错误')
    await run(() => Promise.reject(new Error('handled')), { onError: () => '' })
    expect(error.value).toBe('')
  })

  it('keeps loading until an async error handler settles', async () => {
    const { loading, run } = useAsync()
    const during: boolean[] = []
    await run(() => Promise.reject(new Error('x')), {
      onError: async () => {
        await Promise.resolve()
        during.push(loading.value)
      },
    })
    expect(during).toEqual([true])
    expect(loading.value).toBe(false)
  })

  it('notifies non-empty messages only', async () => {
    const notify = vi.fn()
    const { run } = useAsync({ notify })
    await run(() => Promise.resolve(1))
    await run(() => Promise.reject(new Error('gone')))
    await run(() => Promise.reject(new Error('quiet')), { onError: () => '' })
    expect(notify.mock.calls).toEqual([['gone']])
  })
})
