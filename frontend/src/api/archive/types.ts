import type { Category, Hotline } from '@/api/tickets/types'

export type ArchiveFileName = 'record.html' | 'record.json' | 'manifest.json'

/** One archived version in the search index (R-12345-17). */
export interface ArchiveSummary {
  ticket_id: string
  version: number
  title: string
  category: Category
  hotline: Hotline
  unit_id: string | null
  external_id: string | null
  closed_at: string
  received_at: string
  /** month closed, Asia/Shanghai */
  month: string
  prefix: string
  seq_range: [number, number]
}

export interface ArchiveFile {
  sha256: string
  size: number
  content_type: string
  s3_version_id: string
}

export interface ArchiveRecord extends ArchiveSummary {
  confidential: boolean
  archived_at: string
  files: Partial<Record<ArchiveFileName, ArchiveFile>>
  caller?: { name: string; phone: string; employer: string; address: string }
  caller_masked?: boolean
  version_count?: number
  /** on /versions items: the newest */
  current?: boolean
}

export interface ArchiveSearch {
  ticket_id?: string
  external_id?: string
  unit_id?: string
  category?: string
  hotline?: string
  month?: string
  limit?: number
  page?: string
}

export interface ArchivePage {
  items: ArchiveSummary[]
  next_page: string | null
}

export interface ArchiveDownload {
  url: string
  expires_in: number
  file: ArchiveFileName
  version: number
  sha256: string
  size: number
}

export interface VerifyFile {
  file: string
  ok: boolean
  expected_sha256: string | null
  actual_sha256: string | null
  expected_size: number | null
  actual_size: number | null
  missing: boolean
  s3_version_id: string | null
}

export interface VerifyResult {
  ticket_id: string
  version: number
  ok: boolean
  differs: string[]
  seq_range: [number, number]
  files: VerifyFile[]
}
