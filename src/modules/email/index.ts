export { emailRoutes } from './email.routes.ts';
export {
  createEmailService,
  type EmailService,
  mayViewLiveLinks,
  redactTokens,
  SEND_EMAIL_JOB,
} from './email.service.ts';
export {
  affiliateSaleEmail,
  CONFIRMATION_VARIABLES,
  type ConfirmationVariables,
  confirmAddressEmail,
  confirmEmailChangeEmail,
  emailChangedNoticeEmail,
  escapeHtml,
  invitationEmail,
  magicLinkEmail,
  outgoingMailChangedEmail,
  passwordResetEmail,
  payoutSentEmail,
  purchaseClaimEmail,
  purchaseConfirmationEmail,
  type RenderedEmail,
  TOKEN_VARIABLES,
  testEmail,
  variablesIn,
} from './email.templates.ts';
