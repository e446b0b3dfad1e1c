import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIso } from '../../platform/clock.ts';
import { requireActor } from '../../platform/http/auth.ts';
import { errors, NoContent, Timestamp } from '../../platform/http/schemas.ts';
import type { SettingsAdmin } from './settings.admin.ts';
import { type SettingsService, WELCOME_PROMPT_MAX } from './settings.service.ts';
import { dashboardUrlOf, type StripeConnection, type StripeConnectionState } from './stripe.service.ts';

export const StripeStatus = Type.Object({
  connected: Type.Boolean(),
  account: Type.Union([
    Type.Object({
      id: Type.String(),
      displayName: Type.Union([Type.String(), Type.Null()]),
      livemode: Type.Boolean({ description: 'A live key (real money); false for a test key' }),
      chargesEnabled: Type.Boolean(),
      payoutsEnabled: Type.Boolean(),
      detailsSubmitted: Type.Boolean(),
      requirements: Type.Array(Type.String(), { description: 'What Stripe still needs, in words' }),
      dashboardUrl: Type.String(),
      keyLast4: Type.String(),
      connectedAt: Timestamp,
      updatedAt: Timestamp,
    }),
    Type.Null(),
  ]),
});

function presentStripe(state: StripeConnectionState | null) {
  if (!state) return { connected: false, account: null };
  return {
    connected: true,
    account: {
      id: state.accountId,
      displayName: state.displayName,
      livemode: state.livemode,
      chargesEnabled: state.chargesEnabled,
      payoutsEnabled: state.payoutsEnabled,
      detailsSubmitted: state.detailsSubmitted,
      requirements: state.requirements,
      dashboardUrl: dashboardUrlOf(state),
      keyLast4: state.keyLast4,
      connectedAt: toIso(state.connectedAt),
      updatedAt: toIso(state.updatedAt),
    },
  };
}

const Nullable = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()]);

export const Settings = Type.Object({
  platformName: Type.String(),
  supportEmail: Type.Union([Type.String(), Type.Null()]),
  termsUrl: Type.Union([Type.String(), Type.Null()], {
    description: 'Terms of service, linked from checkout',
  }),
  privacyUrl: Type.Union([Type.String(), Type.Null()], {
    description: 'Privacy policy, linked from checkout',
  }),
  defaultCurrency: Type.String(),
  smtpUrl: Type.Union([Type.String(), Type.Null()], { description: 'The password is shown as ****' }),
  mailFrom: Type.Union([Type.String(), Type.Null()]),
  pastDueGraceDays: Type.Integer({
    description: 'Days a subscription whose payment failed keeps its access while Stripe retries',
  }),
  affiliateCookieDays: Type.Integer({
    description: 'Days a referral link attributes sales (last click wins)',
  }),
  commissionHoldDays: Type.Integer({ description: 'Days a commission is held before it is payable' }),
  payoutMinimumMinor: Type.Integer({ description: 'Smallest balance paid out, in minor units' }),
  welcomePrompt: Type.Union([Type.String(), Type.Null()], {
    description: 'Shown in a group to a member who has not posted there yet; null: off',
  }),
});

const SettingsPatch = Type.Object(
  {
    platformName: Type.Optional(Type.String({ maxLength: 120 })),
    supportEmail: Type.Optional(Nullable(254)),
    termsUrl: Type.Optional(Nullable(1000)),
    privacyUrl: Type.Optional(Nullable(1000)),
    defaultCurrency: Type.Optional(Type.String({ maxLength: 3 })),
    smtpUrl: Type.Optional(Nullable(1000)),
    mailFrom: Type.Optional(Nullable(300)),
    pastDueGraceDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
    affiliateCookieDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    commissionHoldDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    payoutMinimumMinor: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    welcomePrompt: Type.Optional(Nullable(WELCOME_PROMPT_MAX + 50)),
    currentPassword: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'Your password: needed (owner only) to change smtpUrl or mailFrom',
      }),
    ),
  },
  { minProperties: 1 },
);

export const PlatformInfo = Type.Object({
  platformName: Type.String(),
  supportEmail: Type.Union([Type.String(), Type.Null()]),
  demo: Type.Boolean({ description: 'A demonstration: payments are simulated' }),
  welcomePrompt: Type.Union([Type.String(), Type.Null()], {
    description: "The creator's words to a member who has not posted in a group yet, or null",
  }),
});

export interface SettingsRoutesDeps {
  settings: SettingsService;
  settingsAdmin: SettingsAdmin;
  stripe: StripeConnection;
  /** `guildhall demo`: every page says so. */
  demo?: boolean;
}

export function settingsRoutes(deps: SettingsRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/platform',
      {
        config: { public: true },
        schema: {
          tags: ['settings'],
          summary: 'The platform’s public name and support address',
          response: { 200: PlatformInfo },
        },
      },
      async () => {
        const { platformName, supportEmail, welcomePrompt } = await deps.settings.getSettings();
        return { platformName, supportEmail, demo: deps.demo ?? false, welcomePrompt };
      },
    );

    app.get(
      '/settings',
      {
        schema: {
          tags: ['settings'],
          summary: 'Platform settings',
          response: { 200: Settings, ...errors(401, 403) },
        },
      },
      async (request) => deps.settingsAdmin.readSettings(requireActor(request)),
    );

    app.patch(
      '/settings',
      {
        schema: {
          tags: ['settings'],
          summary:
            'Change settings. Outgoing email (smtpUrl, mailFrom): the owner only, with currentPassword; **** as the SMTP password keeps the stored one for the same server, port and user',
          body: SettingsPatch,
          response: { 200: Settings, ...errors(400, 401, 403, 429) },
        },
      },
      async (request) => deps.settingsAdmin.changeSettings(requireActor(request), request.body),
    );

    app.post(
      '/settings/test-email',
      {
        schema: {
          tags: ['settings'],
          summary: 'Send a test email through the outgoing email settings',
          body: Type.Object({ to: Type.String({ minLength: 1, maxLength: 254 }) }),
          response: { 202: Type.Object({ emailId: Type.String() }), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const emailId = await deps.settingsAdmin.sendTestEmail(requireActor(request), request.body.to);
        return reply.status(202).send({ emailId });
      },
    );

    app.get(
      '/settings/stripe',
      {
        schema: {
          tags: ['settings'],
          summary: 'The Stripe account payments go to, and what Stripe still needs',
          response: { 200: StripeStatus, ...errors(401, 403) },
        },
      },
      async (request) => presentStripe(await deps.stripe.status(requireActor(request))),
    );

    app.put(
      '/settings/stripe',
      {
        schema: {
          tags: ['settings'],
          summary:
            'Connect Stripe with a secret or restricted key (owner only): verified, then Guildhall creates its webhook endpoint and billing portal',
          body: Type.Object({ secretKey: Type.String({ minLength: 1, maxLength: 300 }) }),
          response: { 200: StripeStatus, ...errors(400, 401, 403, 502) },
        },
      },
      async (request) => presentStripe(await deps.stripe.connect(requireActor(request), request.body)),
    );

    app.delete(
      '/settings/stripe',
      {
        schema: {
          tags: ['settings'],
          summary: 'Disconnect Stripe (owner only): the key is forgotten and paid checkout closes',
          response: { 204: NoContent, ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        await deps.stripe.disconnect(requireActor(request));
        return reply.status(204).send(null);
      },
    );
  };
}
