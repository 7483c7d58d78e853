import { http } from '@/api/request'
import { fetchBlob } from '@/api/blob'
import type { Figures, Hotspots, StatsReport, StatsTrend, TypicalAnalysis, TypicalSummary } from './types'

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** GET /stats/report: county figures, one row per unit and per dispatcher (R-12345-14). */
export function getReport(month: string): Promise<StatsReport> {
  return http.get<StatsReport>('/stats/report', { month })
}

/** GET /stats/trend: the `months` months ending with `month` (county scope). */
export function getTrend(month: string, months = 12): Promise<StatsTrend> {
  return http.get<StatsTrend>('/stats/trend', { month, scope: 'county', months })
}

/** GET /stats/export: the Excel workbook of the month. */
export function exportExcel(month: string): Promise<Blob> {
  return fetchBlob('/stats/export', { month }, XLSX_TYPE)
}

/** GET /documents/monthly-report?format=pdf: 月度通报. */
export function monthlyReportPdf(month: string): Promise<Blob> {
  return fetchBlob('/documents/monthly-report', { month, format: 'pdf' }, 'application/pdf')
}

/** GET /documents/typical?format=pdf: 典型工单 summary of the month (R-12345-15). */
export function typicalPdf(month: string): Promise<Blob> {
  return fetchBlob('/documents/typical', { month, format: 'pdf' }, 'application/pdf')
}

/** GET /stats/monthly?hotline=12369: the 12369 line's own county figures (docs/statistics.md, "12369"). */
export function getEnvMonthly(month: string): Promise<{ month: string; hotline: string; figures: Figures }> {
  return http.get<{ month: string; hotline: string; figures: Figures }>('/stats/monthly', { month, hotline: '12369' })
}

/** GET /stats/hotspots: the month's hot topics and their change (R-12345-14 综合分析). */
export function getHotspots(month: string, by?: 'unit' | 'category'): Promise<Hotspots> {
  return http.get<Hotspots>('/stats/hotspots', by ? { month, by } : { month })
}

/** POST /stats/hotspots/{month}/recompute (analyst, leader). */
export function recomputeHotspots(month: string, by?: 'unit' | 'category'): Promise<Hotspots> {
  const qs = by ? `?by=${by}` : ''
  return http.post<Hotspots>(`/stats/hotspots/${encodeURIComponent(month)}/recompute${qs}`)
}

/** GET /stats/typical-summary/{month}: marked tickets and the analysis paragraph (R-12345-15). */
export function getTypicalSummary(month: string): Promise<TypicalSummary> {
  return http.get<TypicalSummary>(`/stats/typical-summary/${encodeURIComponent(month)}`)
}

/** PUT /stats/typical-summary/{month}/analysis: a new version of the paragraph (analyst, leader). */
export function putTypicalAnalysis(month: string, text: string, version: number): Promise<TypicalAnalysis> {
  const url = `/stats/typical-summary/${encodeURIComponent(month)}/analysis`
  return http.request<TypicalAnalysis>({ method: 'PUT', url, body: { text, version } })
}
