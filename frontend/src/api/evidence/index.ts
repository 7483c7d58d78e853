/**
 * Evidence files (录音资料 / 书面材料 / 照片 / 成果材料): announce → upload straight to S3 with the presigned form
 * (progress reported) → confirm (the server checks the content and records sha256). The same five routes below
 * every owner path (a ticket, an action item, a weekly report, a notice, a unit's submission): `base` is that path,
 * built with `evidenceBase`.
 */
import { http } from '@/api/request'
import type { EvidenceDownload, EvidenceFile, EvidenceStart } from './types'

const enc = encodeURIComponent

/** The owner paths the API serves evidence files under (docs/api.md, "Evidence files"). */
export const evidenceBase = {
  ticket: (ticketId: string) => `/tickets/${enc(ticketId)}`,
  action: (actionId: string) => `/work/actions/${enc(actionId)}`,
  /** R-WORK-01: my report of the week (any day of it); with `deptId` the department's combined report. */
  report: (week: string, deptId?: string) =>
    deptId ? `/work/weekly/${enc(week)}?dept_id=${enc(deptId)}` : `/work/weekly/${enc(week)}`,
  notice: (noticeId: string) => `/work/notices/${enc(noticeId)}`,
  submission: (noticeId: string, unitId: string) => `/work/notices/${enc(noticeId)}/units/${enc(unitId)}`,
}

/** `{path}{suffix}?{query}` of an owner path that carries a query (`/work/weekly/{week}?dept_id=…`). */
export function under(base: string, suffix: string): string {
  const at = base.indexOf('?')
  return at < 0 ? `${base}${suffix}` : `${base.slice(0, at)}${suffix}${base.slice(at)}`
}

/** GET {base}/evidence: stored files, oldest first. */
export function listEvidence(base: string): Promise<{ items: EvidenceFile[] }> {
  return http.get<{ items: EvidenceFile[] }>(under(base, '/evidence'))
}

/** POST {base}/evidence: a pending file and its upload form. */
export function startUpload(base: string, filename: string, size: number, note = ''): Promise<EvidenceStart> {
  return http.post<EvidenceStart>(under(base, '/evidence'), { filename, size, note })
}

/** POST {base}/evidence/{eid}/confirm: checked by content; 422 (removed) when refused. */
export function confirmEvidence(base: string, evidenceId: string): Promise<EvidenceFile> {
  return http.post<EvidenceFile>(under(base, `/evidence/${enc(evidenceId)}/confirm`), {})
}

/** GET …/download: a presigned link valid 15 minutes; `inline` shows images and PDF in place. Recorded. */
export function evidenceLink(base: string, evidenceId: string, inline = false): Promise<EvidenceDownload> {
  return http.get<EvidenceDownload>(under(base, `/evidence/${enc(evidenceId)}/download`), inline ? { inline: 1 } : undefined)
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
