export interface EvidenceFile {
  evidence_id: string
  owner_kind: string
  owner_id: string
  filename: string
  status: 'pending' | 'stored'
  type?: string
  group?: string
  content_type?: string
  previewable?: boolean
  size?: number
  sha256?: string
  note?: string
  attached_by: string
  attached_role?: string
  attached_by_name?: string
  created_at: string
  stored_at?: string
}

export interface EvidenceStart extends EvidenceFile {
  upload: { url: string; fields: Record<string, string> }
  max_bytes: number
  expires_in: number
}

export interface EvidenceDownload extends EvidenceFile {
  url: string
  expires_in: number
}
