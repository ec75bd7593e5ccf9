/**
 * What the banner remembers per visitor, in localStorage (silently in memory where storage is
 * blocked): per incident, collapsed or dismissed (with the phase and impact it was dismissed at,
 * so it comes back when either changes); per site and width class, whether the last visit showed
 * an incident and the height its content needed (the reserve of the next visit).
 */
import type { Impact, IncidentPhase } from '@lifeboat/protocol';

export interface IncidentPreference {
  collapsed?: boolean;
  /** Set when dismissed: the incident stays hidden while its phase and impact are these. */
  dismissed?: { phase: IncidentPhase; impact: Impact } | null;
}

const memory = new Map<string, string>();

function read(key: string): string | null {
  try {
    if (globalThis.localStorage) return globalThis.localStorage.getItem(key);
  } catch {
    // Storage blocked (private mode, sandboxed iframe): fall back to memory.
  }
  return memory.get(key) ?? null;
}

function write(key: string, value: string | null): void {
  try {
    if (globalThis.localStorage) {
      if (value === null) globalThis.localStorage.removeItem(key);
      else globalThis.localStorage.setItem(key, value);
      return;
    }
  } catch {
    // Storage blocked or full: the in-memory copy lasts the page.
  }
  if (value === null) memory.delete(key);
  else memory.set(key, value);
}

/** Reads and writes the banner's per-visitor preferences under one namespace (server + site). */
export class BannerPreferences {
  constructor(private readonly namespace: string) {}

  incident(id: string): IncidentPreference {
    try {
      return (JSON.parse(read(`${this.namespace}:incident:${id}`) ?? '{}') ??
        {}) as IncidentPreference;
    } catch {
      return {};
    }
  }

  setIncident(id: string, preference: IncidentPreference): void {
    const empty = !preference.collapsed && !preference.dismissed;
    write(`${this.namespace}:incident:${id}`, empty ? null : JSON.stringify(preference));
  }

  /** True when the incident was dismissed at its current phase and impact. */
  isDismissed(id: string, phase: IncidentPhase, impact: Impact): boolean {
    const dismissed = this.incident(id).dismissed;
    return Boolean(dismissed && dismissed.phase === phase && dismissed.impact === impact);
  }

  /**
   * What the banner showed on the last visit at this width class: whether an incident (or
   * maintenance) was open, and the height its full content needed then (null when unknown).
   */
  last(bucket: 'narrow' | 'wide'): LastVisit | null {
    try {
      const value = JSON.parse(read(`${this.namespace}:last:${bucket}`) ?? 'null') as unknown;
      if (!value || typeof value !== 'object') return null;
      const { incident, height } = value as Partial<LastVisit>;
      return {
        incident: incident === true,
        height: typeof height === 'number' && height > 0 ? height : null,
      };
    } catch {
      return null;
    }
  }

  setLast(bucket: 'narrow' | 'wide', visit: LastVisit): void {
    const previous = this.last(bucket);
    if (previous?.incident === visit.incident && previous.height === visit.height) return;
    write(`${this.namespace}:last:${bucket}`, JSON.stringify(visit));
  }
}

export interface LastVisit {
  incident: boolean;
  height: number | null;
}
