/**
 * Binary downloads (Excel, PDF) with the session's Bearer token: a plain link would carry no token.
 * Errors are mapped like every other call (`errors.<code>`).
 */
import { apiBase } from '@/config'
import { currentLocale } from '@/locales'
import { buildUrl, mapError, type ApiErrorBody, type Query } from '@/api/request'
import { useAuthStore } from '@/stores/auth'

export async function fetchBlob(url: string, query: Query, accept: string, fetchImpl: typeof fetch = fetch): Promise<Blob> {
  const token = useAuthStore().token
  const headers: Record<string, string> = { Accept: accept, 'Accept-Language': currentLocale() }
  if (token) headers.Authorization = `Bearer ${token}`
  let res: Response
  try {
    res = await fetchImpl(buildUrl(apiBase(), url, query), { headers })
  } catch {
    throw mapError(0, { code: 'network' })
  }
  if (!res.ok) {
    let body: ApiErrorBody | null = null
    try {
      body = (await res.json()) as ApiErrorBody
    } catch {
      body = null
    }
    throw mapError(res.status, body)
  }
  return res.blob()
}

/** Save a blob under a file name (object URL + temporary link). */
export function saveBlob(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 60_000)
}

/**
 * Show a blob (PDF) in a tab. `target` is a window opened synchronously in the click handler
 * (so no popup blocker interferes); without one, fall back to a download.
 */
export function openBlob(blob: Blob, target: Window | null, name: string): void {
  const href = URL.createObjectURL(blob)
  if (target && !target.closed) {
    target.location.href = href
  } else {
    saveBlob(blob, name)
  }
  setTimeout(() => URL.revokeObjectURL(href), 300_000)
}
