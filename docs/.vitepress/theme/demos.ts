/**
 * Live demos of the components for the docs site, run in the browser only. The components come
 * from their sources; the banner reads a captured Statuspage summary.json served by the site
 * (direct mode, no Lifeboat server); the others are fed sample data through the same fake
 * clients the component tests use (real nanostores atoms), so everything is clickable on a
 * static site and nothing is sent anywhere.
 */
import { withBase } from 'vitepress';

export { demoOf } from './demo-of.js';

export type Theme = 'light' | 'dark';

let noServer = false;
/**
 * The staff components ask the page's server whether it offers staff sign-in
 * (`/v1/staff/sso`); the docs site has no Lifeboat server behind it, so such calls get the
 * "not found" answer here instead of a 404 in the console.
 */
function answerNoServer(): void {
  if (noServer) return;
  noServer = true;
  const fetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin === location.origin && url.pathname.startsWith('/v1/'))
      return Promise.resolve(
        new Response(JSON.stringify({ title: 'Not Found', status: 404, code: 'not_found' }), {
          status: 404,
          headers: { 'content-type': 'application/problem+json' },
        }),
      );
    return fetch(input, init);
  };
}

/** Replaces what `host` holds with the demo of `tag` in `theme`. */
export async function mountDemo(host: HTMLElement, tag: string, theme: Theme): Promise<void> {
  const [{ setDefaultClient }, { FakeClient }, sample] = await Promise.all([
    import('../../../packages/elements/src/client-resolver.js'),
    import('../../../packages/elements/src/testing/fake-client.js'),
    import('../../../packages/elements/src/testing/sample-data.js'),
  ]);
  const visitor = new FakeClient();
  visitor.setStatus(sample.sampleStatus('major'));
  visitor.setAffectedHistory(sample.INCIDENT_ID, {
    incidentId: sample.INCIDENT_ID,
    bucketMinutes: 15,
    buckets: [0, 0, 1, 0, 2, 1, 3, 2, 4, 6, 9, 7, 12, 10, 15, 14, 11, 16, 13, 9, 12, 8, 10, 7].map(
      (count, i) => ({ start: new Date(Date.now() - (24 - i) * 15 * 60_000).toISOString(), count }),
    ),
  });
  visitor.setThread(sample.INCIDENT_ID, { state: 'ready', posts: sample.samplePosts() });
  visitor.setMe(sample.INCIDENT_ID, { reactions: { '01HZWORKAROUND00000000000A': 'worked' } });
  setDefaultClient(visitor);

  host.replaceChildren();
  const el = (name: string, attrs: Record<string, string> = {}): HTMLElement => {
    const node = document.createElement(name);
    node.setAttribute('theme', theme);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    host.append(node);
    return node;
  };

  switch (tag) {
    case 'lifeboat-banner': {
      await import('../../../packages/elements/src/banner/banner.js');
      el('lifeboat-banner', {
        'status-url': new URL(withBase('/demo/summary.json'), location.href).href,
      });
      break;
    }
    case 'lifeboat-banner-server': {
      await import('../../../packages/elements/src/banner/banner.js');
      el('lifeboat-banner');
      break;
    }
    case 'lifeboat-thread':
      await import('../../../packages/elements/src/thread/thread.js');
      el('lifeboat-thread');
      break;
    case 'lifeboat-workaround-form':
      await import('../../../packages/elements/src/workaround-form/workaround-form.js');
      el('lifeboat-workaround-form');
      break;
    case 'lifeboat-email-updates': {
      await import('../../../packages/elements/src/subscribe/subscribe.js');
      const node = el('lifeboat-email-updates') as HTMLElement & {
        client: unknown;
        incident: string;
      };
      node.client = visitor;
      node.incident = sample.INCIDENT_ID;
      break;
    }
    case 'lifeboat-moderation': {
      answerNoServer();
      const [, moderation] = await Promise.all([
        import('../../../packages/elements/src/moderation/moderation.js'),
        import('../../../packages/elements/src/testing/fake-moderation.js'),
      ]);
      const client = new moderation.FakeModeration();
      client.setQueue(moderation.sampleQueue());
      client.setAudit([moderation.anAuditEntry({ action: 'remove' }), moderation.anAuditEntry()]);
      client.setSpikes([moderation.aSpike()]);
      const node = el('lifeboat-moderation', { site: 'acme' }) as HTMLElement & { client: unknown };
      node.client = client;
      break;
    }
    case 'lifeboat-insights': {
      answerNoServer();
      const [, insights] = await Promise.all([
        import('../../../packages/elements/src/insights/insights.js'),
        import('../../../packages/elements/src/testing/fake-insights.js'),
      ]);
      const client = new insights.FakeInsights();
      client.site = insights.sampleInsights();
      client.report = insights.sampleReport();
      const node = el('lifeboat-insights', { site: 'acme' }) as HTMLElement & { client: unknown };
      node.client = client;
      break;
    }
    default:
      throw new Error(`No demo for <${tag}>`);
  }
}
