/**
 * What the banner remembers per visitor, in localStorage (silently in memory where storage is
 * blocked): per incident, collapsed or dismissed (with the phase and impact it was dismissed at,
 * so it comes back when either changes); per site and width, the height its content last needed.
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

  /** The content height last needed at this width class, in px. */
  height(bucket: 'narrow' | 'wide'): number | null {
    const value = Number(read(`${this.namespace}:height:${bucket}`));
    return Number.isFinite(value) && value > 0 ? value : null;
  }

  setHeight(bucket: 'narrow' | 'wide', px: number): void {
    write(`${this.namespace}:height:${bucket}`, String(Math.ceil(px)));
  }
}
