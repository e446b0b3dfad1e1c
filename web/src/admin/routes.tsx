// The dashboard, loaded only when someone opens /admin: members never download it.
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../ui.tsx';
import { AdminLayout } from './admin-layout.tsx';
import { AdminAffiliatesPage } from './affiliates.tsx';
import { DashboardPage } from './dashboard/dashboard.tsx';
import { EmailDetailPage, EmailsPage } from './emails.tsx';
import { AdminHubGroupPage, AdminHubPage } from './hub/index.ts';
import { OfferEditorPage, OffersListPage } from './offers/index.tsx';
import { ReportsPage } from './reports.tsx';
import { SalesPage } from './sales.tsx';
import { SettingsPage } from './settings.tsx';
import { UserCardPage } from './user-card.tsx';
import { UsersPage } from './users.tsx';

export default function AdminRoutes() {
  return (
    <Routes>
      <Route element={<AdminLayout />}>
        <Route index element={<DashboardPage />} />
        <Route path="hub" element={<AdminHubPage />} />
        <Route path="hub/:id" element={<AdminHubGroupPage />} />
        <Route path="reports" element={<ReportsPage />} />
        <Route path="offers" element={<OffersListPage />} />
        <Route path="offers/new" element={<OfferEditorPage />} />
        <Route path="offers/:id" element={<OfferEditorPage />} />
        <Route path="sales" element={<SalesPage />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="users/:id" element={<UserCardPage />} />
        <Route path="affiliates" element={<AdminAffiliatesPage />} />
        <Route path="emails" element={<EmailsPage />} />
        <Route path="emails/:id" element={<EmailDetailPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="*" element={<NotFoundPage inside />} />
      </Route>
    </Routes>
  );
}
