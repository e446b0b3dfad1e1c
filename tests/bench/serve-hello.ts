// The baseline: the smallest Fastify server, on the same Node and machine as Guildhall in the same run.
import Fastify from 'fastify';
import { serveUntilStopped } from './servers.ts';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
serveUntilStopped(url, () => app.close());
