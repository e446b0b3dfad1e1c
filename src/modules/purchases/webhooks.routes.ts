// POST /webhooks/stripe: Stripe's deliveries. The signature is checked on the raw body, so this
// plugin reads every body as bytes (it is encapsulated: no other route sees this parser).
import type { FastifyInstance } from 'fastify';
import type { BillingService } from './billing.service.ts';

export function webhookRoutes(deps: { billing: Pick<BillingService, 'handleWebhook'> }) {
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
    for (const [path, kind] of [
      ['/webhooks/stripe', 'account'],
      // Connected accounts' events (affiliates' payout accounts): their own endpoint and secret.
      ['/webhooks/stripe/connect', 'connect'],
    ] as const) {
      app.post(path, { schema: { hide: true } }, async (request, reply) => {
        const signature = request.headers['stripe-signature'];
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const { status } = await deps.billing.handleWebhook(
          body,
          typeof signature === 'string' ? signature : undefined,
          kind,
        );
        return reply.status(status).send({ received: true });
      });
    }
  };
}
