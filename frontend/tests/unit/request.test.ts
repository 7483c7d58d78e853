import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, buildUrl, createClient, installInterceptors, mapError } from '@/api/request'
import { setLocale } from '@/locales'

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? '' : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

describe('mapError turns API errors into Chinese messages', () => {
  beforeEach(() => setLocale('zh-CN'))

  it('maps a version conflict to the reload hint', () => {
    const err = mapError(409, { code: 'conflict', message: 'version mismatch', details: {} })
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('conflict')
    expect(err.message).toBe('工单已被他人更新，请刷新')
    expect(err.serverMessage).toBe('version mismatch')
  })

  it('keeps invalid_transition distinct from conflict on the same 409', () => {
    expect(mapError(409, { code: 'invalid_transition' }).message).toBe('工单当前状态不允许此操作')
    // a refusal the server names gets its own sentence (R-12369-05: one extension only)
    const refused = mapError(409, { code: 'invalid_transition', message: 'x', details: { refusal: 'extension_used' } })
    expect(refused.message).toContain('只能延期一次')
    expect(mapError(409, { code: 'invalid_transition', details: { refusal: 'no_such' } }).message).toBe('工单当前状态不允许此操作')
  })

  it.each([
    [400, 'bad_request', '请求格式有误'],
    [401, 'unauthenticated', '登录已过期，请重新登录'],
    [403, 'forbidden', '没有权限执行此操作'],
    [404, 'not_found', '工单不存在或无权查看'],
    [429, 'rate_limited', '操作过于频繁，请稍后再试'],
  ])('status %i code %s → %s', (status, code, text) => {
    expect(mapError(status, { code, message: 'x' }).message).toBe(text)
  })

  it('lists the invalid fields and missing reply sections of a 422', () => {
    const err = mapError(422, {
      code: 'validation_error',
      details: { fields: { 'call.to_phone': 'too short' }, missing_sections: ['办理结果', '政策依据'] },
    })
    expect(err.message).toContain('提交的内容未通过校验')
    expect(err.message).toContain('电话通知 · 电话：too short')
    expect(err.message).not.toContain('call.to_phone')
    expect(err.message).toContain('缺少答复章节：办理结果、政策依据')
    expect(err.fields).toEqual({ 'call.to_phone': 'too short' })
    expect(err.missingSections).toEqual(['办理结果', '政策依据'])
  })

  it('names a missing reply section by the name the server gives it, never by its id', () => {
    const err = mapError(422, {
      code: 'validation_error',
      details: {
        fields: { 'sections.basis': '必填', 'sections.result': '必填', new_due: '须晚于当前办理期限' },
        labels: { 'sections.basis': '政策法规依据' },
        missing_sections: ['basis', 'result'],
      },
    })
    expect(err.message).toContain('政策法规依据：必填')
    expect(err.message).toContain('答复章节 · 处理结果：必填') // the catalogue's name when the server gives none
    expect(err.message).toContain('延期至：须晚于当前办理期限')
    expect(err.message).not.toMatch(/basis|result|new_due|缺少答复章节/)
    expect(err.labels).toEqual({ 'sections.basis': '政策法规依据' })
  })

  it('names a field by its catalogue name, an item by its number, and never shows an unnamed path', () => {
    const err = mapError(422, {
      code: 'validation_error',
      details: { fields: { 'co_calls[1].to_phone': '须为手机号', 'zz_unknown.part': '格式不对', keyword: '过长' } },
    })
    expect(err.message).toContain('电话通知协办单位（第2项） · 电话：须为手机号')
    expect(err.message).toContain('关键词：过长')
    expect(err.message).toContain('格式不对')
    expect(err.message).not.toContain('zz_unknown')
    expect(err.fields['co_calls[1].to_phone']).toBe('须为手机号') // the form still highlights the field by its path
  })

  it('names the parameter a 400 refused (a refused search says what was wrong, in Chinese)', () => {
    const err = mapError(400, { code: 'bad_request', message: 'x', details: { field: 'keyword' } })
    expect(err.message).toContain('请求格式有误')
    expect(err.message).toContain('关键词')
    expect(err.message).not.toContain('keyword')
    const unknown = mapError(400, { code: 'bad_request', message: 'x', details: { field: 'zz_unknown' } })
    expect(unknown.message).not.toContain('zz_unknown')
  })

  it('shows the request id of a 500', () => {
    const err = mapError(500, { code: 'internal', details: { request_id: 'req-42' } })
    expect(err.message).toBe('服务器内部错误（请求编号 req-42）')
  })

  it('falls back on the status when the body is not the API shape', () => {
    expect(mapError(502, null).code).toBe('internal')
    expect(mapError(404, null).message).toBe('工单不存在或无权查看')
    expect(mapError(418, { code: 'teapot' }).message).toBe('请求失败（HTTP 418）')
  })

  it('speaks English when the user switched language', () => {
    setLocale('en-US')
    expect(mapError(409, { code: 'conflict' }).message).toBe('Someone else updated the ticket; please reload')
    setLocale('zh-CN')
  })
})

describe('the request client', () => {
  it('sends the Bearer token and Accept-Language, and JSON bodies', async () => {
    const fetch = vi.fn().mockResolvedValue(jsonResponse(200, { ok: true }))
    const client = createClient({ fetch, base: () => 'http://api.test' })
    installInterceptors(client, { token: () => 'tok-1', locale: () => 'zh-CN', onUnauthorized: vi.fn() })

    await client.post('/tickets/T1/sign', { version: 3 })

    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('http://api.test/tickets/T1/sign')
    expect(init.method).toBe('POST')
    expect(init.headers.Authorization).toBe('Bearer tok-1')
    expect(init.headers['Accept-Language']).toBe('zh-CN')
    expect(init.headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(init.body)).toEqual({ version: 3 })
  })

  it('sends no token on public calls', async () => {
    const fetch = vi.fn().mockResolvedValue(jsonResponse(200, {}))
    const client = createClient({ fetch, base: () => '' })
    installInterceptors(client, { token: () => 'tok-1', locale: () => 'en-US', onUnauthorized: vi.fn() })
    await client.post('/auth/login', { username: 'a', password: 'b' }, { skipAuth: true })
    expect(fetch.mock.calls[0][1].headers.Authorization).toBeUndefined()
  })

  it('ends the session on a 401 of an authenticated call', async () => {
    const onUnauthorized = vi.fn()
    const fetch = vi.fn().mockResolvedValue(jsonResponse(401, { code: 'unauthenticated', message: 'expired' }))
    const client = createClient({ fetch, base: () => '' })
    installInterceptors(client, { token: () => 'old', locale: () => 'zh-CN', onUnauthorized })

    await expect(client.get('/tickets')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('does not treat wrong login credentials as an expired session', async () => {
    const onUnauthorized = vi.fn()
    const fetch = vi.fn().mockResolvedValue(jsonResponse(401, { code: 'unauthenticated' }))
    const client = createClient({ fetch, base: () => '' })
    installInterceptors(client, { token: () => null, locale: () => 'zh-CN', onUnauthorized })
    await expect(client.post('/auth/login', {}, { skipAuth: true })).rejects.toBeInstanceOf(ApiError)
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('reports a network failure as its own error', async () => {
    const fetch = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))
    const client = createClient({ fetch, base: () => '' })
    await expect(client.get('/units')).rejects.toMatchObject({ code: 'network', status: 0 })
  })

  it('builds query strings without empty parameters', () => {
    expect(buildUrl('http://x', '/tickets', { status: 'received', unit_id: '', page: undefined, limit: 20 })).toBe(
      'http://x/tickets?status=received&limit=20',
    )
    expect(buildUrl('', '/tickets/T1', {})).toBe('/tickets/T1')
  })
})
