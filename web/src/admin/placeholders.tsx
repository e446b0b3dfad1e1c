// Sections that later issues fill. Each says plainly what will be here; no fake data.
import type { ReactNode } from 'react';
import { usePlatformName } from '../session.tsx';
import { useTitle } from '../ui.tsx';

function Placeholder({ title, children, more }: { title: string; children: string; more?: ReactNode }) {
  const platformName = usePlatformName();
  useTitle(`${title} · ${platformName}`);
  return (
    <>
      <h1>{title}</h1>
      <div className="card empty-state">
        <p>{children}</p>
        {more && <p>{more}</p>}
      </div>
    </>
  );
}

export function AdminAffiliatesPage() {
  return (
    <Placeholder title="Affiliates">
      Affiliates — members who resell your offers for a commission, their sales and payouts — arrive with
      customer resell rights.
    </Placeholder>
  );
}
