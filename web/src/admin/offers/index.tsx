// Digital Offers in the dashboard: the list (/admin/offers) and the editor (/admin/offers/new,
// /admin/offers/:id, with ?tab=landing for the Landing Page tab).
import './offers.css';

export { OfferEditorPage } from './editor.tsx';
export { OffersListPage } from './list.tsx';
