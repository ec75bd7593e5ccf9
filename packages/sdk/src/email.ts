/**
 * Email updates (docs/email.md): `client.subscribeByEmail(incidentId, request)` asks the server
 * to email the visitor when staff verify a fix and/or when the incident is resolved. The server
 * mails a confirmation link first (double opt-in); the answer is the same whether a mail went out
 * or the address was already waiting for one, so the form says "check your inbox" either way.
 * Field errors (`email`, `onVerified`) come back on the LifeboatError for the form to show inline.
 */
import {
  isEmailAddress,
  type EmailSubscriptionRequest,
  type EmailSubscriptionResult,
} from '@lifeboat/protocol';
import { LifeboatError } from './client-types.js';
import { toLifeboatError, type Request } from './http.js';
import type { Sessions } from './session.js';

export type SubscribeByEmailAction = (
  incidentId: string,
  request: EmailSubscriptionRequest,
) => Promise<EmailSubscriptionResult>;

/** The same checks as the server's, so the form answers before a round trip. */
export function emailRequestErrors(
  request: EmailSubscriptionRequest,
): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  if (!isEmailAddress(request.email.trim()))
    errors.push({ field: 'email', message: 'Enter an email address like name@example.com.' });
  if (!request.onVerified && !request.onResolved)
    errors.push({ field: 'onVerified', message: 'Choose at least one kind of update.' });
  return errors;
}

export function createEmailActions(input: {
  request: Request;
  sessions: Pick<Sessions, 'authed'>;
}): SubscribeByEmailAction {
  return async (incidentId, body) => {
    const errors = emailRequestErrors(body);
    if (errors.length)
      throw new LifeboatError({
        title: 'The request is not valid',
        status: 400,
        code: 'validation_failed',
        detail: 'Some fields need attention.',
        errors,
      });
    try {
      return await input.sessions.authed((token) =>
        input.request<EmailSubscriptionResult>(
          'POST',
          `/incidents/${encodeURIComponent(incidentId)}/email-subscriptions`,
          { token, body: { ...body, email: body.email.trim() } },
        ),
      );
    } catch (error) {
      throw toLifeboatError(error);
    }
  };
}
