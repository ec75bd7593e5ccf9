/**
 * A real OpenID Connect provider for tests (the oidc-provider package) on 127.0.0.1, with its
 * development login and consent screens (any login name signs in as that account; the accounts'
 * claims come from `accounts`). `tamper` swaps the ID token of the next token responses for
 * another (an attacker's provider, or a token minted for another client), to test that the
 * relying party refuses it. `signIn` drives the whole code flow with a cookie-keeping client.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  name: string;
  email?: string;
  groups?: string[];
}

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface OidcTestProvider {
  issuer: string;
  /** The next token responses carry this ID token instead of theirs (null: untouched). */
  tamper(idToken: string | null): void;
  close(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listen(server: http.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export async function startOidcProvider(
  clients: TestClient[],
  accounts: Record<string, TestAccount>,
): Promise<OidcTestProvider> {
  const port = await freeLoopbackPort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      ...c,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...account };
        },
      };
    },
    claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    // Claims in the ID token too (not only at UserInfo), as many providers do for groups.
    conformIdTokenClaims: false,
  });
  provider.on('server_error', () => undefined);
  const handle = provider.callback();
  // The provider itself answers on an inner port; the outer one is the issuer and can swap ID
  // tokens in token responses.
  const inner = http.createServer(handle);
  const innerPort = await listen(inner);
  let swap: string | null = null;
  const outer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = http.request(
        {
          host: '127.0.0.1',
          port: innerPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            let data = Buffer.concat(body);
            const headers = { ...answer.headers };
            if (swap && req.method === 'POST' && req.url?.startsWith('/token')) {
              const json = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
              if (json['id_token']) json['id_token'] = swap;
              data = Buffer.from(JSON.stringify(json));
              headers['content-length'] = String(data.length);
            }
            res.writeHead(answer.statusCode ?? 500, headers).end(data);
          });
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(Buffer.concat(chunks));
    });
  });
  await listen(outer, port);
  return {
    issuer,
    tamper(idToken) {
      swap = idToken;
    },
    async close() {
      outer.closeAllConnections();
      inner.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => outer.close(resolve)),
        new Promise((resolve) => inner.close(resolve)),
      ]);
    },
  };
}

/** A cookie jar for one browser on 127.0.0.1 (cookies are per host, not per port). */
export class CookieJar {
  readonly cookies = new Map<string, { value: string; path: string }>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const path =
        attrs
          .find((a) => /^\s*path=/i.test(a))
          ?.split('=')[1]
          ?.trim() ?? '/';
      const maxAge = attrs
        .find((a) => /^\s*max-age=/i.test(a))
        ?.split('=')[1]
        ?.trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (maxAge === '0' || expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.take(res);
    return res;
  }
}

/**
 * Follows redirects from `start`, signing in at the provider's screens as `login` and giving
 * consent, until a redirect leaves for `stopAt` (an origin + path prefix): returns that URL.
 */
export async function signInAtProvider(
  jar: CookieJar,
  start: URL,
  login: string,
  stopAt: string,
): Promise<URL> {
  let url = start;
  for (let step = 0; step < 20; step++) {
    if (url.href.startsWith(stopAt)) return url;
    const res = await jar.fetch(url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200 || !url.pathname.startsWith('/interaction/'))
      throw new Error(`unexpected ${res.status} at ${url.href}: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const form =
      prompt === 'login'
        ? new URLSearchParams({ prompt, login, password: 'any' })
        : new URLSearchParams({ prompt: prompt ?? 'consent' });
    const posted = await jar.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (posted.status < 300 || posted.status >= 400)
      throw new Error(`the ${prompt} form answered ${posted.status}`);
    url = new URL(posted.headers.get('location')!, url);
  }
  throw new Error('too many redirects');
}

/**
 * An ID token the provider mints for `client` (its own flow, done here), with `nonce`: what an
 * attacker holding another client's token, or another provider's, would replay.
 */
export async function mintIdToken(
  issuer: string,
  client: TestClient,
  login: string,
  nonce: string,
): Promise<string> {
  const jar = new CookieJar();
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const redirect = client.redirect_uris[0]!;
  const auth = new URL('/auth', issuer);
  auth.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirect,
    response_type: 'code',
    scope: 'openid profile email groups',
    nonce,
    state: crypto.randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const back = await signInAtProvider(jar, auth, login, redirect);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code: ${back.href}`);
  const res = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      code_verifier: verifier,
    }).toString(),
  });
  const json = (await res.json()) as { id_token?: string };
  if (!json.id_token) throw new Error(`no ID token: ${JSON.stringify(json)}`);
  return json.id_token;
}
