export { affiliatesRoutes } from './affiliates.routes.ts';
export { referralCodeOf } from './affiliates.rules.ts';
export {
  type AffiliatesService,
  createAffiliatesService,
  maskEmail,
  PAY_DUE_JOB,
  REF_COOKIE,
  type ResellProgram,
} from './affiliates.service.ts';
