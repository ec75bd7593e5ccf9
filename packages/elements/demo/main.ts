import { setDefaultClient } from '../src/client-resolver.js';
import '../src/banner/banner.js';
import '../src/thread/thread.js';
import '../src/workaround-form/workaround-form.js';
import { FakeClient } from '../src/testing/fake-client.js';
import { INCIDENT_ID, samplePosts, sampleStatus } from '../src/testing/sample-data.js';
import directSummary from '../src/testing/statuspage-summary-critical.json' with { type: 'json' };

// Banner scenarios for screenshots: ?scenario=maintenance | direct | dismissed
const scenario = new URLSearchParams(location.search).get('scenario');
const client = new FakeClient();
const status = sampleStatus('major');
if (scenario === 'maintenance') {
  status.maintenances = [
    {
      id: 'statuspage:acme:m1',
      title: 'Database failover in eu-west-1',
      status: 'in_progress',
      scheduledFor: new Date(Date.now() - 10 * 60_000).toISOString(),
      scheduledUntil: new Date(Date.now() + 50 * 60_000).toISOString(),
      components: ['dashboard'],
      updates: [
        {
          id: 'mu1',
          status: 'in_progress',
          body: 'Failover in progress; the dashboard may be read-only for a few minutes.',
          createdAt: new Date().toISOString(),
        },
      ],
    },
  ];
}
if (scenario === 'dismissed') {
  localStorage.setItem(
    `lifeboat:banner:${client.server}:${client.site}:incident:${INCIDENT_ID}`,
    JSON.stringify({ dismissed: { phase: 'identified', impact: 'major' } }),
  );
}
if (scenario === 'direct') {
  const banner = document.querySelector('lifeboat-banner')!;
  const url = 'https://status.example.test/api/v2/summary.json';
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init) =>
    String(input) === url
      ? Promise.resolve(new Response(JSON.stringify(directSummary)))
      : realFetch(input, init);
  banner.setAttribute('status-url', url);
}
client.setStatus(status);
client.setAffectedHistory(INCIDENT_ID, {
  incidentId: INCIDENT_ID,
  bucketMinutes: 15,
  buckets: [0, 0, 1, 0, 2, 1, 3, 2, 4, 6, 9, 7, 12, 10, 15, 14, 11, 16, 13, 9, 12, 8, 10, 7].map(
    (count, i) => ({ start: new Date(Date.now() - (24 - i) * 15 * 60_000).toISOString(), count }),
  ),
});
client.setThread(INCIDENT_ID, { state: 'ready', posts: samplePosts() });
client.setMe(INCIDENT_ID, {
  affected: true,
  reactions: { '01HZWORKAROUND00000000000A': 'worked' },
});
setDefaultClient(client);
