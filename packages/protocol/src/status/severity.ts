/** Severity arithmetic: the worst of indicator, open incidents, maintenances and components. */
import type { ComponentStatus, Impact, Severity } from '../resources.js';

export const SEVERITY_ORDER: readonly Severity[] = [
  'operational',
  'maintenance',
  'minor',
  'major',
  'critical',
];

export const SEVERITY_FROM_COMPONENT: Record<ComponentStatus, Severity> = {
  operational: 'operational',
  under_maintenance: 'maintenance',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};

export const SEVERITY_FROM_IMPACT: Record<Impact, Severity> = {
  none: 'operational',
  minor: 'minor',
  major: 'major',
  critical: 'critical',
};

export const SEVERITY_TEXT: Record<Severity, string> = {
  operational: 'All systems operational',
  maintenance: 'Scheduled maintenance in progress',
  minor: 'Degraded performance',
  major: 'Partial outage',
  critical: 'Major outage',
};

export function worstOf(values: Iterable<Severity>): Severity {
  let worst: Severity = 'operational';
  for (const v of values) if (SEVERITY_ORDER.indexOf(v) > SEVERITY_ORDER.indexOf(worst)) worst = v;
  return worst;
}
