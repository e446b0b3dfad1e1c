// The offer form's Community Permissions section.
import { Link } from 'react-router';
import type { HubGroup } from '../../../api.ts';
import { fieldMessage } from '../../../forms.tsx';
import { VisibilityBadge } from '../../../hub-common.tsx';
import { Section, type SectionProps } from './common.tsx';

export function PermissionsSection({
  groups,
  draft,
  update,
  fields,
}: SectionProps & {
  groups: HubGroup[] | undefined;
}) {
  const error = fields.hubGroupIds;
  const toggle = (groupId: string, on: boolean) =>
    update({
      hubGroupIds: on
        ? [...draft.hubGroupIds.filter((id) => id !== groupId), groupId]
        : draft.hubGroupIds.filter((id) => id !== groupId),
    });
  return (
    <Section id="offer-permissions" title="Community Permissions">
      <fieldset
        className={`field offer-groups${error ? ' field-invalid' : ''}`}
        aria-describedby="offer-permissions-hint"
      >
        <legend>Hub groups buyers gain</legend>
        <p className="field-hint" id="offer-permissions-hint">
          Select which Hub group(s) purchasers of this offer will gain access to — at least one. Changing this
          later changes it for every existing buyer too.
        </p>
        {!groups ? (
          <p className="muted">Loading hub groups…</p>
        ) : groups.length === 0 ? (
          <p>
            No hub groups yet. <Link to="/admin/hub">Create one in Hub</Link>, then come back.
          </p>
        ) : (
          <ul className="offer-group-list">
            {groups.map((group) => {
              const inputId = `offer-group-${group.id}`;
              return (
                <li key={group.id}>
                  <input
                    type="checkbox"
                    id={inputId}
                    checked={draft.hubGroupIds.includes(group.id)}
                    onChange={(event) => toggle(group.id, event.target.checked)}
                  />
                  <label htmlFor={inputId}>
                    {group.emoji ? (
                      <span aria-hidden="true" className="offer-group-emoji">
                        {group.emoji}
                      </span>
                    ) : null}
                    {group.name}
                  </label>
                  <VisibilityBadge visibility={group.visibility} />
                </li>
              );
            })}
          </ul>
        )}
        {error && <p className="field-error">{fieldMessage('Community Permissions', error)}</p>}
      </fieldset>
    </Section>
  );
}
