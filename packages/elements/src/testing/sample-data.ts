import type { Impact, Incident, Post, Severity, SiteStatus } from '@lifeboat/protocol';

const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();

export const INCIDENT_ID = 'statuspage:acme:inc1';

export function samplePost(overrides: Partial<Post> & { id: string }): Post {
  return {
    incidentId: INCIDENT_ID,
    parentId: null,
    kind: 'answer',
    body: 'Same here.',
    workaround: null,
    author: { id: `m-${overrides.id}`, displayName: 'Dana', role: 'member', staff: false },
    state: 'published',
    verified: false,
    pinned: false,
    counts: { worked: 0, didntWork: 0 },
    createdAt: minutesAgo(10),
    editedAt: null,
    score: 0,
    ...overrides,
  };
}

export function sampleWorkaround(): Post {
  return samplePost({
    id: '01HZWORKAROUND00000000000A',
    kind: 'workaround',
    body: 'Switch the API base URL to the EU region.',
    workaround: {
      title: 'Use the EU endpoint for API calls',
      steps: [
        'Open Settings → API',
        'Change the region to `eu-west-1`',
        'Retry the failed requests',
      ],
      component: 'api',
      platform: 'All regions',
      risk: 'temporary',
      riskNote: 'Switch back once the incident is resolved.',
    },
    author: { id: 'm-priya', displayName: 'Priya N.', role: 'member', staff: false },
    verified: true,
    counts: { worked: 12, didntWork: 1 },
    createdAt: minutesAgo(22),
  });
}

export function samplePosts(): Post[] {
  return [
    sampleWorkaround(),
    samplePost({
      id: '01HZSTAFF0000000000000000A',
      body: 'We are aware of failed API requests in us-east-1 and are rolling back a config change. Follow https://status.acme.test for updates.',
      author: { id: 'm-staff', displayName: 'Jordan (Acme)', role: 'staff', staff: true },
      pinned: true,
      counts: { worked: 4, didntWork: 0 },
      createdAt: minutesAgo(18),
    }),
    samplePost({
      id: '01HZANSWER000000000000000A',
      body: 'Retrying with exponential backoff helps a bit:\n\n- wait 2s, then 4s, then 8s\n- keep `idempotency-key` the same',
      author: { id: 'm-sam', displayName: 'Sam K.', role: 'member', staff: false },
      counts: { worked: 3, didntWork: 2 },
      createdAt: minutesAgo(12),
    }),
    samplePost({
      id: '01HZREPLY0000000000000000A',
      kind: 'reply',
      parentId: '01HZANSWER000000000000000A',
      body: 'Confirmed, backoff got our batch jobs through.',
      author: { id: 'm-lee', displayName: 'Lee', role: 'member', staff: false },
      createdAt: minutesAgo(6),
    }),
  ];
}

const SEVERITY_OF: Record<Impact, Severity> = {
  none: 'operational',
  minor: 'minor',
  major: 'major',
  critical: 'critical',
};

export function sampleIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: INCIDENT_ID,
    site: 'acme',
    title: 'Elevated API error rates',
    phase: 'identified',
    impact: 'major',
    components: ['api', 'webhooks'],
    startedAt: minutesAgo(40),
    resolvedAt: null,
    updatedAt: minutesAgo(12),
    threadState: 'open',
    updates: [
      {
        id: 'u2',
        phase: 'identified',
        body: 'We identified a faulty configuration change in us-east-1 and are rolling it back.',
        createdAt: minutesAgo(12),
      },
      {
        id: 'u1',
        phase: 'investigating',
        body: 'We are investigating increased error rates on the REST API.',
        createdAt: minutesAgo(40),
      },
    ],
    affectedCount: 37,
    postCount: 4,
    topWorkaround: sampleWorkaround(),
    ...overrides,
  };
}

/** A site status; `impact` picks the incident, `'operational'` means no incident. */
export function sampleStatus(
  impact: Impact | 'operational' = 'major',
  incident?: Partial<Incident>,
): SiteStatus {
  const incidents = impact === 'operational' ? [] : [sampleIncident({ impact, ...incident })];
  const severity = impact === 'operational' ? 'operational' : SEVERITY_OF[impact];
  const broken = impact === 'operational' ? [] : ['api', 'webhooks'];
  return {
    site: { slug: 'acme', name: 'Acme Cloud' },
    severity,
    description: {
      operational: 'All Systems Operational',
      maintenance: 'Maintenance',
      minor: 'Minor Service Outage',
      major: 'Partial System Outage',
      critical: 'Major System Outage',
    }[severity],
    components: [
      {
        id: 'api',
        name: 'REST API',
        status: broken.includes('api') ? 'partial_outage' : 'operational',
      },
      {
        id: 'webhooks',
        name: 'Webhooks',
        status: broken.includes('webhooks') ? 'degraded_performance' : 'operational',
      },
      { id: 'dashboard', name: 'Dashboard', status: 'operational' },
    ],
    incidents,
    lastEventId: 1,
    updatedAt: minutesAgo(1),
  };
}
