// Dashboard → Hub: the hub groups in order (reorder with Move up / Move down), Create hub group, and a
// group's own page: edit, paywall, image, who is in it and why, delete.
export { AdminHubGroupPage } from './group.tsx';
export { AdminHubPage } from './list.tsx';
