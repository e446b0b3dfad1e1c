import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../../platform/http/auth.ts';
import { errors } from '../../platform/http/schemas.ts';
import type { SettingsAdmin } from './settings.admin.ts';
import type { SettingsService } from './settings.service.ts';

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
    currentPassword: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'Your password: needed (owner only) to change smtpUrl or mailFrom',
      }),
    ),
  },
  { minProperties: 1 },
);

const PlatformInfo = Type.Object({
  platformName: Type.String(),
  supportEmail: Type.Union([Type.String(), Type.Null()]),
});

export interface SettingsRoutesDeps {
  settings: SettingsService;
  settingsAdmin: SettingsAdmin;
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
  };
}
