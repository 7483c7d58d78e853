import { http } from '@/api/request'
import type { ActionItem, Approval, DuePanel, Notice, ReportRow, WeeklyReport } from './types'

const enc = encodeURIComponent

export const listActions = (query: Record<string, string> = {}) => http.get<{ items: ActionItem[] }>('/work/actions', query)
export const createAction = (body: Record<string, unknown>) => http.post<ActionItem>('/work/actions', body)
/** progress | complete | request-extension | decide-extension | review | delegate */
export const actOnAction = (id: string, verb: string, body: Record<string, unknown>) =>
  http.post<ActionItem>(`/work/actions/${enc(id)}/${verb}`, body)

export const listApprovals = (box: string) => http.get<{ items: Approval[] }>('/work/approvals', { box })
export const createApproval = (body: Record<string, unknown>) => http.post<Approval>('/work/approvals', body)
export const decideApproval = (id: string, body: { approve: boolean; note?: string }) =>
  http.post<Approval>(`/work/approvals/${enc(id)}/decide`, body)

export const reportDraft = (week: string) =>
  http.get<{ week: string; planned: ReportRow[]; submitted: WeeklyReport | null }>(`/work/weekly/${enc(week)}/draft`)
export const submitReport = (week: string, body: Record<string, unknown>) =>
  http.request<WeeklyReport>({ method: 'PUT', url: `/work/weekly/${enc(week)}`, body })
export const weekReports = (week: string) =>
  http.get<{ week: string; due_at: string; reports: WeeklyReport[]; missing: { id: string; name: string }[] }>(
    `/work/weekly/${enc(week)}`,
  )

export const listNotices = () => http.get<{ items: Notice[] }>('/work/notices')
export const createNotice = (body: Record<string, unknown>) => http.post<Notice>('/work/notices', body)
/** receive | submit (the unit) | close (the sender) */
export const actOnNotice = (id: string, verb: string, body: Record<string, unknown> = {}) =>
  http.post<Notice>(`/work/notices/${enc(id)}/${verb}`, body)

export const duePanel = () => http.get<DuePanel>('/work/due')
