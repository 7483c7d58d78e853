/** The office's own work (R-WORK-01…06): action items, approvals, weekly reports, notices to units. */
export interface ActionItem {
  id: string
  title: string
  meeting: string
  detail: string
  owner_id: string
  assigner_id: string
  delegate_id: string | null
  deliverable: boolean
  deliverable_ref: string | null
  deadline: string
  status: 'open' | 'delayed' | 'submitted' | 'done'
  progress: { text: string; by: string; at: string }[]
  extension: { reason: string; new_deadline: string; status: 'pending' | 'approved' | 'rejected' } | null
  delayed_at: string | null
  done_at: string | null
  on_time: boolean | null
  names: Record<string, string>
  overdue: boolean
  days_late: number
}

export interface Approval {
  id: string
  kind: string
  title: string
  detail: string
  initiator_id: string
  approver_id: string
  status: 'pending' | 'approved' | 'rejected'
  created_at: string
  due_at: string
  overdue: boolean
  attributed_to: string | null
  reminders: string[]
  decision: { approve: boolean; note: string; by: string; at: string; on_time: boolean } | null
  held_hours: number
  names: Record<string, string>
}

export interface ReportRow {
  text: string
  important?: boolean
  outcome?: 'done' | 'partly' | 'not_done'
  cause?: string
  measure?: string
  deliverable_ref?: string
}

/** The three lists of a weekly report, as its form edits them. */
export interface ReportRows {
  planned: ReportRow[]
  unplanned: ReportRow[]
  plan: ReportRow[]
}

export interface WeeklyReport extends ReportRows {
  week: string
  owner_id: string
  dept_id?: string | null
  submitted_by?: string
  submitted_at: string
  due_at: string
  late: boolean
}

/** R-WORK-01 a report owed for the week: on time, late, missing after the due, or not yet due. */
export type ReportState = 'submitted' | 'late' | 'missing' | 'pending'

export interface DeptWeekEntry {
  id: string
  name: string
  state: ReportState
  submitted_at: string | null
  report: WeeklyReport | null
}

/** 科室周报: a department's members and their reports for a week, and the combined report. */
export interface DeptWeek {
  id: string
  name: string
  coordinator_id: string
  coordinator: string
  can_submit: boolean
  members: DeptWeekEntry[]
  combined: DeptWeekEntry | null
}

export interface DeptDraft extends ReportRows {
  week: string
  due_at: string
  dept_id: string
  submitted: WeeklyReport | null
}

export interface NoticeUnit {
  name: string
  received_at: string | null
  submitted_at: string | null
  late: boolean
  report?: string
  /** The unit's stored files as it submitted them (name, sha256, when stored). */
  files?: { evidence_id: string; filename: string; sha256: string; size: number; stored_at: string }[]
}

export interface Notice {
  id: string
  title: string
  body: string
  deadline: string
  created_at: string
  created_by: string
  /** Who sent it, as printed (name with the unit). */
  sender?: string | null
  status: 'open' | 'closed'
  units: Record<string, NoticeUnit>
  late_units: string[]
  pending_units: string[]
}

export interface DuePanel {
  actions: ActionItem[]
  approvals_to_decide: Approval[]
  my_pending_requests: Approval[]
  weekly_report: { week: string; submitted: boolean; due_at: string }
  friday_report: { week: string; generated_at: string; counts: Record<'done' | 'delayed' | 'open' | 'approvals', number> } | null
}

/** R-WORK-06 one person's month (docs/statistics.md). */
export interface PersonFigures {
  owner_id: string
  name: string
  due: number
  on_time: number
  delayed: number
  unfinished: number
  max_days_late: number
  rate: number | null
  flagged: boolean
}

export interface AssessmentInput {
  id: string
  label: string
  value: number | null
  numerator?: number
  denominator?: number
  weight?: number
  deduction?: number
}

export interface AssessmentRow {
  id: string
  name: string
  rank: number | null
  score: number | null
  base: number | null
  deducted: number
  inputs: AssessmentInput[]
}

export interface UnitAssessment {
  month: string
  version: { version: number; weights: Record<string, number>; deductions: Record<string, number> }
  rows: AssessmentRow[]
}

export interface AnnouncementReceipt {
  user_id: string
  name: string
  role: string
  unit_id: string | null
  unit_name: string | null
  at: string
}

export interface AnnouncementUnit {
  unit_id: string
  name: string
  read_at: string | null
  read_by: string | null
}

/** An announcement everyone it is for must read (已读回执); receipts only for its sender and the office's announcers. */
export interface Announcement {
  id: string
  title: string
  body: string
  roles: string[]
  unit_ids: string[]
  created_by: string
  created_at: string
  sender: string | null
  for_me: boolean
  read_at: string | null
  receipts?: AnnouncementReceipt[]
  units?: AnnouncementUnit[]
}

/** The office's departments (members, coordinator), the head of the centre and the weekly report due rule. */
export interface WorkDepartment {
  id: string
  name: string
  members: string[]
  coordinator_id: string
}

/** `mon 10:00`: the week's first working day 10:00; `fri 18:00`: the last working day before the week, 18:00. */
export type ReportDueRule = 'mon 10:00' | 'fri 18:00'

export interface WorkSettings {
  departments: WorkDepartment[]
  head_id: string | null
  report_due: ReportDueRule
}
