import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ForbiddenError } from '../../platform/errors.ts';
import { type Actor, requireActor } from '../../platform/http/auth.ts';
import { errors } from '../../platform/http/schemas.ts';
import { maskSmtpUrl, type PlatformSettings, type SettingsService } from './settings.service.ts';

const Nullable = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()]);

const Settings = Type.Object({
  platformName: Type.String(),
  supportEmail: Type.Union([Type.String(), Type.Null()]),
  defaultCurrency: Type.String(),
  smtpUrl: Type.Union([Type.String(), Type.Null()], { description: 'The password is shown as ****' }),
  mailFrom: Type.Union([Type.String(), Type.Null()]),
});

const SettingsPatch = Type.Object(
  {
    platformName: Type.Optional(Type.String({ maxLength: 120 })),
    supportEmail: Type.Optional(Nullable(254)),
    defaultCurrency: Type.Optional(Type.String({ maxLength: 3 })),
    smtpUrl: Type.Optional(Nullable(1000)),
    mailFrom: Type.Optional(Nullable(300)),
  },
  { minProperties: 1 },
);

const PlatformInfo = Type.Object({
  platformName: Type.String(),
  supportEmail: Type.Union([Type.String(), Type.Null()]),
});

function staff(actor: Actor): Actor {
  if (actor.role !== 'owner' && actor.role !== 'admin')
    throw new ForbiddenError('Only the owner and admins may change settings.');
  return actor;
}

function present(settings: PlatformSettings) {
  return { ...settings, smtpUrl: maskSmtpUrl(settings.smtpUrl) };
}

export interface SettingsRoutesDeps {
  settings: SettingsService;
  /** Queues the test email; answers its id in the Emails log. */
  sendTestEmail(actor: Actor, to: string): Promise<string>;
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
        const { platformName, supportEmail } = await deps.settings.getSettings();
        return { platformName, supportEmail };
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
      async (request) => {
        staff(requireActor(request));
        return present(await deps.settings.getSettings());
      },
    );

    app.patch(
      '/settings',
      {
        schema: {
          tags: ['settings'],
          summary: 'Change settings; an SMTP URL with **** as password keeps the stored one',
          body: SettingsPatch,
          response: { 200: Settings, ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        staff(requireActor(request));
        return present(await deps.settings.updateSettings(request.body));
      },
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
        const actor = staff(requireActor(request));
        return reply.status(202).send({ emailId: await deps.sendTestEmail(actor, request.body.to) });
      },
    );
  };
}
