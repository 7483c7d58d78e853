import { http } from '@/api/request'
import type { ArchiveDownload, ArchiveFileName, ArchivePage, ArchiveRecord, ArchiveSearch, VerifyResult } from './types'

/** GET /archive/search: one key picks the index; `month` narrows unit/category/hotline. */
export function searchArchive(q: ArchiveSearch): Promise<ArchivePage> {
  return http.get<ArchivePage>('/archive/search', { ...q })
}

/** GET /archive/{id}[?reveal=1&reason=…]: the current version (caller masked unless revealed with a reason). */
export function getArchive(id: string, revealReason = ''): Promise<ArchiveRecord> {
  const params = revealReason ? { reveal: 1, reason: revealReason } : undefined
  return http.get<ArchiveRecord>(`/archive/${encodeURIComponent(id)}`, params)
}

/** GET /archive/{id}/versions: oldest first. */
export function listVersions(id: string): Promise<{ items: ArchiveRecord[] }> {
  return http.get<{ items: ArchiveRecord[] }>(`/archive/${encodeURIComponent(id)}/versions`)
}

/** GET /archive/{id}/download: a presigned URL valid 15 minutes. */
export function downloadUrl(id: string, file: ArchiveFileName, version?: number): Promise<ArchiveDownload> {
  return http.get<ArchiveDownload>(`/archive/${encodeURIComponent(id)}/download`, { file, version })
}

/** POST /archive/{id}/verify: recompute the checksums against the manifest. */
export function verifyArchive(id: string, version?: number): Promise<VerifyResult> {
  return http.post<VerifyResult>(`/archive/${encodeURIComponent(id)}/verify`, version ? { version } : {})
}
