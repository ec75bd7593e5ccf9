import { setDefaultClient } from '../src/client-resolver.js';
import '../src/banner/banner.js';
import '../src/thread/thread.js';
import '../src/workaround-form/workaround-form.js';
import { FakeClient } from '../src/testing/fake-client.js';
import { INCIDENT_ID, samplePosts, sampleStatus } from '../src/testing/sample-data.js';

const client = new FakeClient();
client.setStatus(sampleStatus('major'));
client.setThread(INCIDENT_ID, { state: 'ready', posts: samplePosts() });
client.setMe(INCIDENT_ID, {
  affected: true,
  reactions: { '01HZWORKAROUND00000000000A': 'worked' },
});
setDefaultClient(client);
