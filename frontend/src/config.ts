/** Runtime configuration, read from `/config.json` at startup so one build serves every stage. */
export interface RuntimeConfig {
  apiBase: string
  /** The local stack (`make run`): the login page tells how to get a demo user's TOTP code. */
  localMode: boolean
}

const runtime: RuntimeConfig = { apiBase: '', localMode: false }

/** Strip trailing slashes so `apiBase + path` never doubles them. */
export function normalizeBase(base: unknown): string {
  return typeof base === 'string' ? base.trim().replace(/\/+$/, '') : ''
}

/** Fetch `/config.json`; on any failure fall back to the same origin (empty base). */
export async function loadRuntimeConfig(fetchImpl: typeof fetch = fetch): Promise<RuntimeConfig> {
  try {
    const res = await fetchImpl(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' })
    if (res.ok) {
      const data = (await res.json()) as Partial<RuntimeConfig>
      runtime.apiBase = normalizeBase(data.apiBase)
      runtime.localMode = data.localMode === true
    }
  } catch {
    runtime.apiBase = ''
  }
  return runtime
}

export function apiBase(): string {
  return runtime.apiBase
}

export function isLocalMode(): boolean {
  return runtime.localMode
}

export function setApiBase(base: string): void {
  runtime.apiBase = normalizeBase(base)
}
