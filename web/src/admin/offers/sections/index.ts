// The offer form's sections, in the reference page's order and words: Title, Pricing Model,
// Community Permissions, Thumbnail, Cover, Confirmation Email, Purchase Destination, Customer Resell
// Rights, Custom Code — one file each.
export { ImageUploadField, Section, Toggle, type Update } from './common.tsx';
export { CustomCodeSection } from './custom-code.tsx';
export { DestinationSection } from './destination.tsx';
export { EmailSection } from './email.tsx';
export { MediaSection } from './media.tsx';
export { PermissionsSection } from './permissions.tsx';
export { PricingSection, type SaveProblem } from './pricing.tsx';
export { ResellSection } from './resell.tsx';
export { TitleSection } from './title.tsx';
