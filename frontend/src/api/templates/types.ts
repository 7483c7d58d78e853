import type { TemplateSection } from '@/api/directory/types'

export type { TemplateSection }

/** GET /reply-templates/{category}: the template in force (version 0 = built-in default). */
export interface TemplateVersion {
  category: string
  version: number
  sections: TemplateSection[]
  updated_by: string | null
  /** Who saved this version, as printed (name with the unit); null for the built-in default. */
  updated_by_name?: string | null
  updated_at: string | null
  note: string | null
  current?: boolean
}

export interface TemplateSave {
  sections: TemplateSection[]
  /** the version that was edited (409 if stale) */
  version: number
  note?: string
}
