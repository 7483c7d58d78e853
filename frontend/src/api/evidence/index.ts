/**
 * Evidence files of a ticket (录音资料 / 书面材料 / 照片): announce → upload straight to S3 with the
 * presigned form (progress reported) → confirm (the server checks the content and records sha256).
 */
import { http } from '@/api/request'
import type { EvidenceDownload, EvidenceFile, EvidenceStart } from './types'

const enc = encodeURIComponent

/** GET /tickets/{id}/evidence: stored files, oldest first. */
export function listEvidence(ticketId: string): Promise<{ items: EvidenceFile[] }> {
  return http.get<{ items: EvidenceFile[] }>(`/tickets/${enc(ticketId)}/evidence`)
}

/** POST /tickets/{id}/evidence: a pending file and its upload form. */
export function startUpload(ticketId: string, filename: string, size: number, note = ''): Promise<EvidenceStart> {
  return http.post<EvidenceStart>(`/tickets/${enc(ticketId)}/evidence`, { filename, size, note })
}

/** POST /tickets/{id}/evidence/{eid}/confirm: checked by content; 422 (removed) when refused. */
export function confirmEvidence(ticketId: string, evidenceId: string): Promise<EvidenceFile> {
  return http.post<EvidenceFile>(`/tickets/${enc(ticketId)}/evidence/${enc(evidenceId)}/confirm`, {})
}

/** GET …/download: a presigned link valid 15 minutes; `inline` shows images and PDF in place. Recorded. */
export function evidenceLink(ticketId: string, evidenceId: string, inline = false): Promise<EvidenceDownload> {
  return http.get<EvidenceDownload>(
    `/tickets/${enc(ticketId)}/evidence/${enc(evidenceId)}/download`,
    inline ? { inline: 1 } : undefined,
  )
}

/** Post the file to the presigned form with progress (0–100); rejects on a network or S3 error. */
export function uploadToStorage(
  form: EvidenceStart['upload'],
  file: Blob,
  onProgress: (percent: number) => void,
  xhrFactory: () => XMLHttpRequest = () => new XMLHttpRequest(),
): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = new FormData()
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v)
    body.append('file', file)
    const xhr = xhrFactory()
    xhr.open('POST', form.url)
    xhr.upload.onprogress = (e: ProgressEvent) => {
      if (e.lengthComputable) onProgress(Math.min(100, Math.round((e.loaded / e.total) * 100)))
    }
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`upload ${xhr.status}`)))
    xhr.onerror = () => reject(new Error('upload network error'))
    xhr.send(body)
  })
}
