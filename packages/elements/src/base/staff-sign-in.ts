/**
 * Staff sign-in with the company's identity provider, for the staff components
 * (`<lifeboat-moderation>`, `<lifeboat-insights>`; server side: docs/staff-sign-in.md).
 *
 * `startStaffSignIn` keeps a random verifier in sessionStorage and sends the browser to the
 * server, which sends it on to the provider with the verifier's SHA-256 as the challenge. Back on
 * the page, the server has put a one-time code in the URL fragment (never sent to a server);
 * `completeStaffSignIn` removes it from the address bar at once and trades code + verifier for a
 * staff session token. Only this tab, which holds the verifier, can use the code.
 */

export interface StaffSession {
  token: string;
  site: string;
  expiresAt: string;
  member: { id: string; displayName: string; role: string };
}

const VERIFIER_KEY = 'lifeboat:staff-sign-in:verifier';
const FRAGMENT = 'lifeboat_sso=';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const providers = new Map<string, Promise<string | null>>();

/** The provider's name when the server offers staff sign-in ("Sign in with <name>"), else null. */
export function staffSignInProvider(server: string): Promise<string | null> {
  let found = providers.get(server);
  if (!found) {
    found = fetch(new URL('/v1/staff/sso', server), { credentials: 'omit' })
      .then(async (res) => {
        if (!res.ok) return null;
        const body = (await res.json()) as { name?: unknown };
        return typeof body.name === 'string' && body.name ? body.name : null;
      })
      .catch(() => null);
    providers.set(server, found);
  }
  return found;
}

/** Sends the browser to sign in for `site`; it comes back to this page. */
export async function startStaffSignIn(server: string, site: string): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  try {
    sessionStorage.setItem(VERIFIER_KEY, verifier);
  } catch {
    // Blocked storage: the code cannot be exchanged here; the server's page says so.
  }
  const back = new URL(location.href);
  back.hash = '';
  const url = new URL('/v1/staff/sso/start', server);
  url.search = new URLSearchParams({
    site,
    return: back.href,
    challenge: base64url(new Uint8Array(digest)),
  }).toString();
  location.assign(url.href);
}

let completing: Promise<StaffSession | null> | null = null;

/**
 * Finishes a sign-in this page came back from: null when there is none; throws an Error with a
 * sentence to show when the code cannot be exchanged. Several components on one page share it.
 */
export function completeStaffSignIn(server: string): Promise<StaffSession | null> {
  if (completing) return completing;
  const hash = location.hash;
  const at = hash.indexOf(FRAGMENT);
  if (at < 0) return Promise.resolve(null);
  const code = decodeURIComponent(hash.slice(at + FRAGMENT.length).split('&')[0] ?? '');
  // Out of the address bar (and history) before anything else.
  const clean = new URL(location.href);
  clean.hash = '';
  history.replaceState(history.state, '', clean.href);
  let verifier: string | null = null;
  try {
    verifier = sessionStorage.getItem(VERIFIER_KEY);
    sessionStorage.removeItem(VERIFIER_KEY);
  } catch {
    // Blocked storage.
  }
  completing = (async () => {
    if (!verifier) throw new Error('This sign-in was started in another tab. Sign in again here.');
    const res = await fetch(new URL('/v1/staff/sso/session', server), {
      method: 'POST',
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, verifier }),
    });
    const body = (await res.json().catch(() => ({}))) as Partial<StaffSession> & {
      detail?: string;
    };
    if (!res.ok || !body.token)
      throw new Error(body.detail ?? `Sign-in failed (${res.status}). Sign in again.`);
    return body as StaffSession;
  })();
  return completing;
}
