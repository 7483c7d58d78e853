import { http } from '@/api/request'
import { fetchBlob } from '@/api/blob'
import { XLSX_TYPE } from '@/api/stats'
import type {
  ActionItem,
  Announcement,
  Approval,
  DeptDraft,
  DeptWeek,
  DuePanel,
  Notice,
  PersonFigures,
  ReportRow,
  UnitAssessment,
  WeeklyReport,
  WorkSettings,
} from './types'

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
  http.get<{ week: string; due_at: string; planned: ReportRow[]; submitted: WeeklyReport | null }>(`/work/weekly/${enc(week)}/draft`)
export const submitReport = (week: string, body: Record<string, unknown>) =>
  http.request<WeeklyReport>({ method: 'PUT', url: `/work/weekly/${enc(week)}`, body })
/** 科室周报: the departments I may read (`deptId`: that one), each member's report state and report, the combined one. */
export const departmentWeeks = (week: string, deptId?: string) =>
  http.get<{ week: string; due_at: string; departments: DeptWeek[] }>(
    `/work/weekly/${enc(week)}/departments`,
    deptId ? { dept_id: deptId } : {},
  )
/** The coordinator's combined report, prefilled from last week's combined report and the members' reports. */
export const departmentDraft = (week: string, deptId: string) =>
  http.get<DeptDraft>(`/work/weekly/${enc(week)}/draft`, { dept_id: deptId })
export const weekReports = (week: string) =>
  http.get<{ week: string; due_at: string; reports: WeeklyReport[]; missing: { id: string; name: string }[] }>(
    `/work/weekly/${enc(week)}`,
  )

/** 工作设置 (admin writes, staff read): departments, head of the centre, the report due rule. */
export const getWorkSettings = () => http.get<WorkSettings>('/work/settings')
export const putWorkSettings = (body: WorkSettings) => http.request<WorkSettings>({ method: 'PUT', url: '/work/settings', body })

export const listNotices = () => http.get<{ items: Notice[] }>('/work/notices')
export const createNotice = (body: Record<string, unknown>) => http.post<Notice>('/work/notices', body)
/** receive | submit (the unit) | close (the sender) */
export const actOnNotice = (id: string, verb: string, body: Record<string, unknown> = {}) =>
  http.post<Notice>(`/work/notices/${enc(id)}/${verb}`, body)

export const duePanel = () => http.get<DuePanel>('/work/due')
/** GET /work/friday/{week}?format=pdf: the week's progress and delays report (R-WORK-04), as archived. */
export const fridayReportPdf = (week: string) => fetchBlob(`/work/friday/${enc(week)}`, { format: 'pdf' }, 'application/pdf')
/** GET /work/friday/{week}?format=html: the same report as its archived HTML page. */
export const fridayReportHtml = async (week: string) =>
  (await fetchBlob(`/work/friday/${enc(week)}`, { format: 'html' }, 'text/html')).text()

/** R-WORK-06: completion per person in a month. */
export const monthFigures = (month: string) => http.get<{ month: string; rows: PersonFigures[] }>(`/work/figures/${enc(month)}`)
/** 单位考核: every unit's score, inputs and rank in a month. */
export const unitAssessment = (month: string) => http.get<UnitAssessment>(`/work/assessment/${enc(month)}`)
/** R-WORK-06 completion per person as .xlsx. */
export const monthFiguresExcel = (month: string) => fetchBlob(`/work/figures/${enc(month)}/export`, {}, XLSX_TYPE)
/** The month's unit assessment as .xlsx. */
export const unitAssessmentExcel = (month: string) => fetchBlob(`/work/assessment/${enc(month)}/export`, {}, XLSX_TYPE)
/** GET /documents/assessment?format=pdf: the month's unit assessment, printable. */
export const unitAssessmentPdf = (month: string) => fetchBlob('/documents/assessment', { month, format: 'pdf' }, 'application/pdf')

/** Announcements for me, newest first; `unread`: only those I have not confirmed. */
export const listAnnouncements = (unread = false) =>
  http.get<{ items: Announcement[] }>('/work/announcements', unread ? { unread: '1' } : {})
export const createAnnouncement = (body: Record<string, unknown>) => http.post<Announcement>('/work/announcements', body)
export const getAnnouncement = (id: string) => http.get<Announcement>(`/work/announcements/${enc(id)}`)
export const readAnnouncement = (id: string) => http.post<Announcement>(`/work/announcements/${enc(id)}/read`, {})
