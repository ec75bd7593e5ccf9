/**
 * A table of UI messages that a host page can override in part (nested tables such as
 * `severity` merge key by key) and that components re-render from when it changes. The visitor
 * messages (`localize.ts`) and the staff console's (`moderation/messages.ts`) are two of these.
 */

/** A partial override: nested string tables may be given in part too. */
export type MessageOverrides<T> = {
  [K in keyof T]?: T[K] extends Record<string, string> ? Partial<T[K]> : T[K];
};

export interface MessageTable<T> {
  /** The current messages. */
  get(): T;
  /** Applies overrides over the current messages and tells every listener. */
  set(overrides: MessageOverrides<T>): void;
  /** Calls `listener` after every `set()`; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export function createMessageTable<T extends object>(defaults: T): MessageTable<T> {
  let current = defaults;
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set(overrides) {
      const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
      for (const [key, value] of Object.entries(overrides)) {
        const base = (current as Record<string, unknown>)[key];
        next[key] =
          value && typeof value === 'object' && base && typeof base === 'object'
            ? { ...base, ...value }
            : value;
      }
      current = next as T;
      for (const listener of listeners) listener();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
