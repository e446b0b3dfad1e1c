export { emailRoutes } from './email.routes.ts';
export {
  createEmailService,
  type EmailService,
  mayViewLiveLinks,
  redactTokens,
  SEND_EMAIL_JOB,
} from './email.service.ts';
export {
  CONFIRMATION_VARIABLES,
  type ConfirmationVariables,
  confirmEmailChangeEmail,
  emailChangedNoticeEmail,
  escapeHtml,
  invitationEmail,
  magicLinkEmail,
  passwordResetEmail,
  purchaseClaimEmail,
  purchaseConfirmationEmail,
  type RenderedEmail,
  testEmail,
} from './email.templates.ts';
