/**
 * Email subscriptions (issue 15, docs/email.md): a visitor asks to be told by email when a
 * workaround of one incident is verified and/or when the incident is resolved. Double opt-in
 * (a confirmation link), one-click unsubscribe (RFC 8058).
 */

/** What a subscriber is told about. */
export interface EmailSubscriptionChoices {
  /** A workaround of the incident is verified by staff. */
  onVerified: boolean;
  /** The incident is resolved. */
  onResolved: boolean;
}

/** `POST /v1/sites/:site/incidents/:incident/email-subscriptions`. */
export interface EmailSubscriptionRequest extends EmailSubscriptionChoices {
  email: string;
}

/**
 * The answer to a subscription request: always `pending` (a confirmation link is on its way,
 * unless one already is or the address is already subscribed — the answer does not say which, so
 * it cannot be used to learn who subscribed).
 */
export interface EmailSubscriptionResult {
  status: 'pending';
  /** When the confirmation link stops working. */
  confirmBy: string;
}

/** `pending` (waits for its confirmation), `confirmed`, `expired`, `unsubscribed`. */
export type EmailSubscriptionState = 'pending' | 'confirmed' | 'expired' | 'unsubscribed';

/** A subscription in the member's data export. */
export interface EmailSubscriptionRecord extends EmailSubscriptionChoices {
  incidentId: string;
  email: string;
  state: EmailSubscriptionState;
  createdAt: string;
  confirmedAt: string | null;
  endedAt: string | null;
}

/** Limits of email subscriptions. */
export const EMAIL_LIMITS = {
  /** RFC 5321: a path is at most 256 octets, the address 254. */
  address: 254,
  /** How long a confirmation link works (ms). */
  confirmMs: 24 * 3600_000,
} as const;

/**
 * A plain address: `local@domain.tld`, printable ASCII without spaces, quotes, angle brackets or
 * control characters (no display names, no comments, no quoted local parts): what a form takes.
 */
export function isEmailAddress(value: string): boolean {
  if (value.length > EMAIL_LIMITS.address) return false;
  const m =
    /^([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64})@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)$/.exec(
      value,
    );
  if (!m) return false;
  const [, local = '', domain = ''] = m;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  return (
    domain.split('.').every((label) => !label.startsWith('-') && !label.endsWith('-')) &&
    /[A-Za-z]/.test(domain.split('.').at(-1)!)
  );
}
