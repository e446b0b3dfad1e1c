export { createSettingsAdmin, OWNER_ONLY_SETTINGS, type SettingsAdmin } from './settings.admin.ts';
export { type SettingsRoutesDeps, settingsRoutes } from './settings.routes.ts';
export {
  createSettingsService,
  DEFAULT_PLATFORM_NAME,
  maskSmtpUrl,
  type PlatformSettings,
  type SettingsPatch,
  type SettingsService,
} from './settings.service.ts';
export {
  CONNECT_WEBHOOK_EVENTS,
  createStripeConnection,
  dashboardUrlOf,
  STRIPE_CONNECTION_KEY,
  type StripeConnection,
  type StripeConnectionState,
  WEBHOOK_EVENTS,
  type WebhookKind,
} from './stripe.service.ts';
