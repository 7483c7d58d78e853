/**
 * The one HTTP client: fetch plus small interceptor chains.
 * Request interceptors add the Bearer token and Accept-Language; errors are mapped from the
 * API's `{"code","message","details"}` to translated messages (`errors.<code>`); a 401 on an
 * authenticated call hands over to the session-expired handler.
 */
import { apiBase } from '@/config'
import { i18n } from '@/locales'

export interface ApiErrorBody {
  code?: string
  message?: string
  details?: Record<string, unknown>
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown>
  readonly serverMessage: string

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}, serverMessage = '') {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
    this.serverMessage = serverMessage
  }

  /** `details.fields` of a 422: `{field: reason}`. */
  get fields(): Record<string, string> {
    const f = this.details.fields
    return f && typeof f === 'object' ? (f as Record<string, string>) : {}
  }

  /** `details.labels` of a 422: `{field path: its name}` as the server names it (a template's section titles). */
  get labels(): Record<string, string> {
    const l = this.details.labels
    return l && typeof l === 'object' ? (l as Record<string, string>) : {}
  }

  /** `details.missing_sections` of a rejected reply (R-12345-06). */
  get missingSections(): string[] {
    const m = this.details.missing_sections
    return Array.isArray(m) ? m.map(String) : []
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestConfig {
  method: string
  url: string
  headers: Record<string, string>
  query?: Query
  body?: unknown
  /** Public calls (login) do not carry a token and a 401 is not a session expiry. */
  skipAuth?: boolean
  signal?: AbortSignal
}

type RequestInterceptor = (config: RequestConfig) => RequestConfig | Promise<RequestConfig>
type ErrorInterceptor = (error: ApiError, config: RequestConfig) => void | Promise<void>

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation_error',
  429: 'rate_limited',
}

type Translate = (key: string, values?: Record<string, unknown>) => string
type HasKey = (key: string) => boolean

const PATH_PART = /\[\d+\]|[A-Za-z_][A-Za-z0-9_]*/g
const PATH_KINDS = ['inputField', 'eventData', 'category']
const SECTION_KINDS = ['replySection', 'resultSection']

/** A request field by its name (`caller.phone` → 来电人 · 电话号码; as the server's `field_label`), else null. */
export function fieldLabel(path: string, t: Translate, te: HasKey): string | null {
  const shown: string[] = []
  let lastKnown = false
  let previous = ''
  for (const part of path.match(PATH_PART) ?? []) {
    if (part.startsWith('[')) {
      if (shown.length && lastKnown) shown[shown.length - 1] += t('errors.item', { n: Number(part.slice(1, -1)) + 1 })
      continue
    }
    const kinds = previous === 'sections' ? [...SECTION_KINDS, ...PATH_KINDS] : PATH_KINDS
    previous = part
    const kind = kinds.find((k) => te(`${k}.${part}`))
    lastKnown = kind !== undefined
    if (kind) shown.push(t(`${kind}.${part}`))
  }
  return shown.length && lastKnown ? shown.join(' · ') : null
}

/** One field's note of a 422: its name (the server's, else the catalogue's) and the reason, never the raw path. */
function fieldNote(path: string, reason: string, named: Record<string, string>, t: Translate, te: HasKey): string {
  const name = named[path] || fieldLabel(path, t, te)
  return name ? `${name}：${reason}` : reason
}

/** Translate an error response into an ApiError whose message is for the user. */
export function mapError(
  status: number,
  body: ApiErrorBody | null,
  t: Translate = (k, v) => i18n.global.t(k, v ?? {}),
  te: HasKey = (k) => i18n.global.te(k),
): ApiError {
  const code = body?.code || STATUS_CODES[status] || (status >= 500 ? 'internal' : 'unknown')
  const details = body?.details && typeof body.details === 'object' ? body.details : {}
  let message = te(`errors.${code}`) ? t(`errors.${code}`) : t('errors.unknown', { status })
  if (code === 'validation_error') {
    const fields = details.fields as Record<string, string> | undefined
    const named = details.labels && typeof details.labels === 'object' ? (details.labels as Record<string, string>) : {}
    const missing = (details.missing_titles ?? details.missing_sections) as string[] | undefined
    const parts: string[] = []
    if (fields && typeof fields === 'object') {
      parts.push(...Object.entries(fields).map(([f, r]) => fieldNote(f, r, named, t, te)))
    }
    // missing reply sections are fields of their own (`sections.<id>`); listed apart only when not
    if (Array.isArray(missing) && missing.length && !Object.keys(fields ?? {}).some((f) => f.startsWith('sections.'))) {
      parts.push(t('errors.missing_sections', { sections: missing.join('、') }))
    }
    if (parts.length) message = `${message}（${parts.join('；')}）`
  }
  // a malformed parameter (a stale page token, …): name it, as a 422 names its fields
  if (code === 'bad_request' && typeof details.field === 'string') {
    const name = fieldLabel(details.field, t, te)
    if (name) message = `${message}（${name}）`
  }
  // a refusal the server names (12369 rules): its own sentence instead of the generic one
  if (code === 'invalid_transition' && typeof details.refusal === 'string' && te(`errors.refusal.${details.refusal}`)) {
    message = t(`errors.refusal.${details.refusal}`)
  }
  if (code === 'internal' && typeof details.request_id === 'string') {
    message = `${message}（${t('errors.request_id', { id: details.request_id })}）`
  }
  return new ApiError(status, code, message, details, body?.message ?? '')
}

export function buildUrl(base: string, url: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.append(k, String(v))
  }
  const qs = params.toString()
  return `${base}${url}${qs ? (url.includes('?') ? '&' : '?') + qs : ''}`
}

export interface ClientOptions {
  fetch?: typeof fetch
  base?: () => string
}

export function createClient(options: ClientOptions = {}) {
  const requestInterceptors: RequestInterceptor[] = []
  const errorInterceptors: ErrorInterceptor[] = []
  const getBase = options.base ?? apiBase

  async function request<T>(init: Omit<RequestConfig, 'headers'> & { headers?: Record<string, string> }): Promise<T> {
    let config: RequestConfig = { ...init, headers: { Accept: 'application/json', ...(init.headers ?? {}) } }
    for (const ic of requestInterceptors) config = await ic(config)
    const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
    let res: Response
    try {
      res = await doFetch(buildUrl(getBase(), config.url, config.query), {
        method: config.method,
        headers:
          config.body === undefined ? config.headers : { ...config.headers, 'Content-Type': 'application/json' },
        body: config.body === undefined ? undefined : JSON.stringify(config.body),
        signal: config.signal,
      })
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e
      const err = new ApiError(0, 'network', i18n.global.t('errors.network'))
      for (const ic of errorInterceptors) await ic(err, config)
      throw err
    }
    const text = await res.text()
    let data: unknown = null
    if (text) {
      try {
        data = JSON.parse(text)
      } catch {
        data = null
      }
    }
    if (!res.ok) {
      const err = mapError(res.status, (data as ApiErrorBody) ?? null)
      for (const ic of errorInterceptors) await ic(err, config)
      throw err
    }
    return data as T
  }

  return {
    interceptors: {
      request: { use: (fn: RequestInterceptor) => void requestInterceptors.push(fn) },
      error: { use: (fn: ErrorInterceptor) => void errorInterceptors.push(fn) },
    },
    request,
    get: <T>(url: string, query?: Query, extra: Partial<RequestConfig> = {}) =>
      request<T>({ method: 'GET', url, query, ...extra }),
    post: <T>(url: string, body?: unknown, extra: Partial<RequestConfig> = {}) =>
      request<T>({ method: 'POST', url, body: body ?? {}, ...extra }),
  }
}

export type Client = ReturnType<typeof createClient>

export interface SessionHooks {
  token: () => string | null
  locale: () => string
  onUnauthorized: () => void
}

/** Install the standard interceptors: Bearer token, Accept-Language, 401 → session expired. */
export function installInterceptors(client: Client, hooks: SessionHooks): void {
  client.interceptors.request.use((config) => {
    const token = config.skipAuth ? null : hooks.token()
    const headers: Record<string, string> = { ...config.headers, 'Accept-Language': hooks.locale() }
    if (token) headers.Authorization = `Bearer ${token}`
    return { ...config, headers }
  })
  client.interceptors.error.use((err, config) => {
    if (err.status === 401 && !config.skipAuth) hooks.onUnauthorized()
  })
}

export const http = createClient()
