/** One statistic (docs/statistics.md): counts carry `value` = numerator, rates `value` = rate (0–1|null). */
export interface Figure {
  label: string
  kind: 'count' | 'rate'
  numerator: number
  denominator: number
  rate: number | null
  value: number | null
}

export type Figures = Record<string, Figure>

export interface ReadCost {
  queries?: number
  items?: number
}

export interface ReportRow {
  id: string
  name: string
  counts: Record<string, number>
  figures: Figures
}

export interface FigureDefinition {
  id: string
  label: string
  kind: 'count' | 'rate'
  rule: string
}

/** GET /stats/report?month= */
export interface StatsReport {
  month: string
  county: { counts: Record<string, number>; figures: Figures }
  units: ReportRow[]
  owners: ReportRow[]
  definitions: FigureDefinition[]
  read?: ReadCost
}

/** GET /stats/trend?month=&months=12 (oldest first) */
export interface StatsTrend {
  months: string[]
  series: Record<string, (number | null)[]>
  items: { month: string; figures: Figures }[]
  read?: ReadCost
}

/** GET /documents/typical?format=json */
export interface TypicalTicket {
  id: string
  title: string
  content: string
  category_label: string
  unit_name: string
  status_label: string
  reply: { title: string; text: string }[]
  satisfaction: string
  marked_by: string
  marked_at: string
  note: string
}
