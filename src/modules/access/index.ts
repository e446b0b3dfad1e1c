export type { GroupRow } from './access.repository.ts';
export { accessRoutes } from './access.routes.ts';
export { canEnter, isEntitlementLive, isGrantLive, isStaffRole } from './access.rules.ts';
export {
  type AccessReason,
  type AccessService,
  createAccessService,
  type Paywall,
  type VisibleGroup,
} from './access.service.ts';
