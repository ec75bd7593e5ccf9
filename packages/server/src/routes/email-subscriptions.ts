/**
 * Email subscriptions (issue 15, docs/email.md, ADR 0029):
 * - `POST …/incidents/:incident/email-subscriptions` — a member asks for mail when a fix is
 *   verified and/or the incident is resolved; a confirmation link goes to the address (double
 *   opt-in). The answer is the same whether a mail was queued or the address already had one
 *   (no one learns who subscribed); limits per member, per browser and per address keep it from
 *   mailing a third party more than a few times a day.
 * - `GET|POST …/email-subscriptions/confirm?token=…` — the link of the confirmation mail: GET shows
 *   a page with a button, POST confirms (so a mail scanner that follows links confirms nothing).
 * - `GET|POST …/email-subscriptions/unsubscribe?token=…` — the `List-Unsubscribe` URL: POST with
 *   `List-Unsubscribe=One-Click` (RFC 8058) ends the subscription at once; GET shows a button.
 * The link routes answer small HTML pages (no script, a strict CSP) to people, problem+json to
 * programs (an `Accept` without `text/html`).
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import { EMAIL_LIMITS, isEmailAddress, type EmailSubscriptionResult } from '@lifeboat/protocol';
import { memberOf, memberOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { ProblemError, problems } from '../http/problem.js';
import { RateLimiter } from '../http/rate-limit.js';
import { clientKey } from '../realtime/stream-limits.js';
import type { SigningKey } from '../auth/tokens.js';
import { addressKey } from '../store/sql-subscriptions.js';
import { escapeHtml } from '../email/messages.js';
import { readLinkToken, type LinkPurpose } from '../email/link-tokens.js';
import type { EmailService } from '../email/service.js';
import { AuthHeaders, IncidentParams, SiteParams, problemResponses } from './schemas.js';

/** Subscription requests per member, and per browser (guest fingerprint), per hour. */
export const SUBSCRIBE_PER_MEMBER_HOUR = 5;
export const SUBSCRIBE_PER_BROWSER_HOUR = 10;
/** Subscription requests per client address (IPv6 by /64) per hour. */
export const SUBSCRIBE_PER_IP_HOUR = 20;
/**
 * The inbox as the daily cap counts it: sub-addresses (`a+1@`, `a+2@`) reach one inbox, so the
 * `+tag` is dropped before counting; an HMAC under the signing key, never the address.
 */
export function inboxKey(address: string): string {
  const key = addressKey(address);
  const at = key.lastIndexOf('@');
  if (at <= 0) return key;
  const plus = key.indexOf('+');
  return plus > 0 && plus < at ? key.slice(0, plus) + key.slice(at) : key;
}

function addressMac(keys: readonly SigningKey[], address: string): string {
  return crypto
    .createHmac('sha256', keys[0]!.secret)
    .update(`lifeboat-email-address\n${inboxKey(address)}`)
    .digest('base64url');
}

/** Confirmation mails one address gets per site per day. */
export const CONFIRMATIONS_PER_ADDRESS_DAY = 3;

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const html = Type.String();

const wantsHtml = (request: FastifyRequest) => /\btext\/html\b/i.test(request.headers.accept ?? '');

function sendPage(reply: FastifyReply, status: number, title: string, body: string) {
  // Referrer-Policy not `no-referrer`: a browser then sends `Origin: null` with the button's POST,
  // which the site's CORS check refuses; `same-origin` keeps the token from ever leaving for
  // elsewhere.
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Content-Security-Policy', PAGE_CSP)
    .header('Referrer-Policy', 'same-origin')
    .header('X-Content-Type-Options', 'nosniff')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:10vh auto;padding:0 1.25rem}h1{font-size:1.375rem;line-height:1.3}button{font:inherit;padding:.6rem 1.1rem;border-radius:.5rem;border:0;background:#0b57d0;color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #7aa7ff;outline-offset:2px}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}button{background:#7aa7ff;color:#111}}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    );
}

const buttonForm = (label: string) =>
  `<form method="post"><button type="submit">${escapeHtml(label)}</button></form>`;

export const emailSubscriptionRoutes: FastifyPluginAsyncTypebox<{
  email: EmailService | null;
}> = async (app, { email }) => {
  const { keys, shared } = app.lifeboat;
  const perMember = new RateLimiter(SUBSCRIBE_PER_MEMBER_HOUR, 3600_000, shared, 'email-member');
  const perBrowser = new RateLimiter(SUBSCRIBE_PER_BROWSER_HOUR, 3600_000, shared, 'email-browser');
  const perIp = new RateLimiter(SUBSCRIBE_PER_IP_HOUR, 3600_000, shared, 'email-ip');

  // RFC 8058 one-click POSTs are forms (`List-Unsubscribe=One-Click`); so is the pages' button.
  // The token is in the URL: the body is read (bounded) and ignored.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data'])
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_r, _body, done) =>
      done(null, undefined),
    );

  app.post(
    '/v1/sites/:site/incidents/:incident/email-subscriptions',
    {
      schema: {
        operationId: 'subscribeByEmail',
        summary:
          'Asks for an email when staff verify a fix of the incident and/or when it is resolved. A confirmation link is mailed to the address (double opt-in); nothing else is sent until it is followed. 202 whether or not a mail was queued (an address already subscribed, or waiting for its confirmation, gets no second one).',
        params: IncidentParams,
        headers: AuthHeaders,
        body: S.EmailSubscriptionRequest,
        response: { 202: S.EmailSubscriptionResult, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply): Promise<EmailSubscriptionResult> => {
      const member = await memberOf(request);
      const { site } = request;
      const { email: address, onVerified, onResolved } = request.body;
      if (!email) {
        if (!(await app.lifeboat.store.getIncident(site.id, request.params.incident)))
          throw problems.notFound('Incident');
        throw new ProblemError(409, 'conflict', 'Email updates are not enabled here.');
      }
      const errors: Array<{ field: string; message: string }> = [];
      if (!isEmailAddress(address.trim()))
        errors.push({ field: 'email', message: 'Enter an email address like name@example.com.' });
      if (!onVerified && !onResolved)
        errors.push({ field: 'onVerified', message: 'Choose at least one kind of update.' });
      if (errors.length) throw problems.validation(errors);
      await perIp.hit(clientKey(request.ip), reply);
      await perMember.hit(member.id, reply);
      if (member.fingerprint) await perBrowser.hit(member.fingerprint, reply);
      const outcome = await email.subscriptions.subscribe({
        siteId: site.id,
        incidentId: request.params.incident,
        memberId: member.id,
        address: address.trim(),
        addressMac: addressMac(keys, address),
        onVerified,
        onResolved,
        now: Date.now(),
        confirmMs: EMAIL_LIMITS.confirmMs,
        dailyConfirmationsPerAddress: CONFIRMATIONS_PER_ADDRESS_DAY,
      });
      switch (outcome.kind) {
        case 'incident_not_found':
          throw problems.notFound('Incident');
        case 'resolved':
          throw new ProblemError(409, 'conflict', 'This incident is already resolved.');
        case 'capped':
          throw new ProblemError(
            429,
            'rate_limited',
            'This address was sent enough confirmation links today; try again tomorrow.',
            undefined,
            { 'Retry-After': '86400' },
            86400,
          );
        case 'queued':
          void email.dispatcher.kick();
          request.log.info(
            { site: site.slug, subscription: outcome.id, member: member.id },
            'email subscription requested',
          );
      }
      reply.code(202).header('Cache-Control', CACHE_PRIVATE);
      return { status: 'pending', confirmBy: outcome.confirmBy };
    },
  );

  /** The subscription a link's token names on this site, else a 404 (page or problem). */
  const subscriptionOf = async (request: FastifyRequest, purpose: LinkPurpose) => {
    const { token } = request.query as { token: string };
    const id = readLinkToken(keys, purpose, token);
    const row = id && email ? await email.subscriptions.get(request.site.id, id) : undefined;
    if (!row) {
      if (wantsHtml(request)) throw new PageError(purpose);
      throw new ProblemError(
        404,
        'not_found',
        purpose === 'confirm'
          ? 'This confirmation link is not valid or has expired.'
          : 'This unsubscribe link is not valid.',
      );
    }
    return row;
  };

  class PageError extends Error {
    constructor(readonly purpose: LinkPurpose) {
      super('link');
    }
  }
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof PageError)
      return sendPage(
        reply,
        404,
        err.purpose === 'confirm' ? 'This link has expired' : 'This link is not valid',
        err.purpose === 'confirm'
          ? '<p>Confirmation links work for 24 hours. Ask for email updates again on the status page.</p>'
          : '<p>Check that the whole link was copied from the email.</p>',
      );
    throw err;
  });

  const linkSchema = (operationId: string, summary: string) => ({
    operationId,
    summary,
    params: SiteParams,
    querystring: S.EmailTokenQuery,
    response: {
      200: { description: 'A page for people', content: { 'text/html': { schema: html } } },
      ...problemResponses,
    },
  });

  app.get(
    '/v1/sites/:site/email-subscriptions/confirm',
    {
      schema: linkSchema(
        'showEmailConfirmation',
        'The confirmation link of a subscription mail: a page with a button that confirms (POST).',
      ),
    },
    async (request, reply) => {
      const row = await subscriptionOf(request, 'confirm');
      if (row.state === 'confirmed')
        return sendPage(reply, 200, 'You are subscribed', '<p>Nothing more to do.</p>');
      return sendPage(
        reply,
        200,
        'Confirm email updates',
        `<p>Send updates about this incident to <strong>${escapeHtml(row.address)}</strong>?</p>${buttonForm('Confirm')}`,
      );
    },
  );

  app.post(
    '/v1/sites/:site/email-subscriptions/confirm',
    {
      schema: linkSchema(
        'confirmEmailSubscription',
        "Confirms a subscription (the confirmation page's button). 404 once the link has expired.",
      ),
    },
    async (request, reply) => {
      const row = await subscriptionOf(request, 'confirm');
      const state = await email!.subscriptions.confirm(request.site.id, row.id, Date.now());
      if (state !== 'confirmed') {
        if (wantsHtml(request)) throw new PageError('confirm');
        throw new ProblemError(404, 'not_found', 'This confirmation link has expired.');
      }
      void email!.dispatcher.kick();
      const what = [
        row.on_verified ? 'when staff verify a fix' : null,
        row.on_resolved ? 'when the incident is resolved' : null,
      ]
        .filter(Boolean)
        .join(' and ');
      return sendPage(
        reply,
        200,
        'You are subscribed',
        `<p>We will email <strong>${escapeHtml(row.address)}</strong> ${escapeHtml(what)}. Every email has a link to stop them.</p>`,
      );
    },
  );

  app.get(
    '/v1/sites/:site/email-subscriptions/unsubscribe',
    {
      schema: linkSchema(
        'showEmailUnsubscribe',
        'The unsubscribe link of a subscription mail: a page with a button that unsubscribes (POST).',
      ),
    },
    async (request, reply) => {
      const row = await subscriptionOf(request, 'unsubscribe');
      if (row.state !== 'pending' && row.state !== 'confirmed')
        return sendPage(reply, 200, 'You are unsubscribed', '<p>No more emails will be sent.</p>');
      return sendPage(
        reply,
        200,
        'Stop email updates?',
        `<p>Stop updates about this incident to <strong>${escapeHtml(row.address)}</strong>.</p>${buttonForm('Unsubscribe')}`,
      );
    },
  );

  app.post(
    '/v1/sites/:site/email-subscriptions/unsubscribe',
    {
      schema: linkSchema(
        'unsubscribeByEmail',
        'One-click unsubscribe (RFC 8058: `List-Unsubscribe=One-Click`, no cookie, no session): the subscription ends and its unsent mails are dropped.',
      ),
    },
    async (request, reply) => {
      const row = await subscriptionOf(request, 'unsubscribe');
      await email!.subscriptions.unsubscribe(request.site.id, row.id, Date.now());
      request.log.info({ site: request.site.slug, subscription: row.id }, 'email unsubscribed');
      return sendPage(reply, 200, 'You are unsubscribed', '<p>No more emails will be sent.</p>');
    },
  );
};
