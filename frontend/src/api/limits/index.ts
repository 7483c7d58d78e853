import { http } from '@/api/request'
import type { HotlineLimits, LimitChange, LimitVersion } from './types'

/** Handling time limits per hotline and category, versioned (admin). */
export function getLimits(): Promise<{ items: HotlineLimits[] }> {
  return http.get<{ items: HotlineLimits[] }>('/admin/limits')
}

/** PUT (admin): a new version; tickets received from its `effective_from` on take it. */
export function saveLimits(hotline: string, body: LimitChange): Promise<LimitVersion> {
  return http.request<LimitVersion>({ method: 'PUT', url: `/admin/limits/${encodeURIComponent(hotline)}`, body })
}
