import { http } from '@/api/request'
import type { TemplateSave, TemplateVersion } from './types'

const path = (category: string) => `/reply-templates/${encodeURIComponent(category)}`

export function getTemplate(category: string): Promise<TemplateVersion> {
  return http.get<TemplateVersion>(path(category))
}

/** PUT (admin): the new version is in force at once. */
export function saveTemplate(category: string, body: TemplateSave): Promise<TemplateVersion> {
  return http.request<TemplateVersion>({ method: 'PUT', url: path(category), body })
}

export function listTemplateVersions(category: string): Promise<{ items: TemplateVersion[] }> {
  return http.get<{ items: TemplateVersion[] }>(`${path(category)}/versions`)
}
