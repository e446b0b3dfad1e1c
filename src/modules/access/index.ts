export type { EntitlementRow, GroupRow } from './access.repository.ts';
/** The access rule as a condition on `hub_groups` for lists: what a member's home feed and search filter by. */
export { groupCandidates, groupsEnteredBy, userMayEnterGroup } from './access.repository.ts';
export { accessRoutes } from './access.routes.ts';
export { canEnter, isEntitlementLive, isGrantLive, isStaffRole } from './access.rules.ts';
export {
  type AccessReason,
  type AccessService,
  type ChangeReason,
  createAccessService,
  type Paywall,
  type StripeFacts,
  type VisibleGroup,
} from './access.service.ts';
