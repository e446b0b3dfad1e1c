// Users: a searchable, cursor-paginated list, and Add User (the new user is emailed a link to set a
// password).
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, type Page, type User } from '../api.ts';
import { formatMoney, roleLabel } from '../format.ts';
import { FormAlert, Notice, onSubmit, SelectField, SubmitButton, TextField, useAction } from '../forms.tsx';
import { usePlatformName } from '../session.tsx';
import {
  LoadError,
  Loading,
  Pager,
  TableWrap,
  Time,
  useCursorPages,
  useDebounced,
  useLoad,
  useTitle,
} from '../ui.tsx';

export function UsersPage() {
  const platformName = usePlatformName();
  useTitle(`Users · ${platformName}`);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('search') ?? '');
  const settled = useDebounced(search.trim());
  const pages = useCursorPages(settled);
  const [adding, setAdding] = useState(false);
  const [invited, setInvited] = useState<string | null>(null);

  const users = useLoad(
    () => {
      // Keep the search in the address, so Back from a user card returns to the same list.
      setParams(settled ? { search: settled } : {}, { replace: true });
      return api.get<Page<User>>('/users', { search: settled, cursor: pages.cursor });
    },
    ['users', settled, pages.cursor ?? ''],
    { keepPrevious: true },
  );

  return (
    <>
      <div className="page-head">
        <h1>Users</h1>
        {!adding && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setAdding(true);
              setInvited(null);
            }}
          >
            Add User
          </button>
        )}
      </div>

      {invited && (
        <Notice>
          We emailed <strong>{invited}</strong> a link to set their password.
        </Notice>
      )}
      {adding && (
        <AddUserForm
          onCancel={() => setAdding(false)}
          onAdded={(user) => {
            setAdding(false);
            setInvited(user.email);
            pages.first();
            users.reload();
          }}
        />
      )}

      <div className="toolbar">
        <div className="field field-inline">
          <label htmlFor="users-search">Search users</label>
          <input
            id="users-search"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Name or email"
          />
        </div>
      </div>

      {users.error ? (
        <LoadError error={users.error} retry={users.reload} />
      ) : !users.data ? (
        <Loading />
      ) : users.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>{settled ? `No users match “${settled}”.` : 'No users yet.'}</p>
        </div>
      ) : (
        <TableWrap label="Users" busy={users.loading}>
          <table className="table-rows-link">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col" className="num">
                  Total spending
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.data.map((user) => (
                <tr
                  key={user.id}
                  onClick={(event) => {
                    // The name is the keyboard's way in; a click anywhere else on the row does the same.
                    if ((event.target as HTMLElement).closest('a')) return;
                    navigate(`/admin/users/${encodeURIComponent(user.id)}`);
                  }}
                >
                  <td>
                    <Link to={`/admin/users/${encodeURIComponent(user.id)}`}>{user.name || user.email}</Link>
                    {user.status === 'deactivated' && <span className="badge badge-muted">Deactivated</span>}
                  </td>
                  <td>{user.email}</td>
                  <td>{roleLabel(user.role)}</td>
                  <td>
                    <Time iso={user.createdAt} />
                  </td>
                  <td className="num">
                    {formatMoney(user.totalSpending.amountMinor, user.totalSpending.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager page={pages.page} list={users.data} onNext={pages.next} onBack={pages.back} />
    </>
  );
}

function AddUserForm({ onCancel, onAdded }: { onCancel(): void; onAdded(user: User): void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const action = useAction();
  const fields = action.errors.fields;

  const submit = async () => {
    const result = await action.run(() => api.post<User>('/users', { name, email, role }));
    if (result.ok) onAdded(result.value);
  };

  return (
    <section className="card section" aria-labelledby="add-user-title">
      <h2 id="add-user-title">Add User</h2>
      <p className="muted">They get an email with a link to set their password.</p>
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormAlert errors={action.errors} fields={['name', 'email', 'role']} />
        <div className="form-row">
          <TextField
            label="Name"
            name="name"
            value={name}
            onValue={setName}
            error={fields.name}
            autoComplete="off"
            autoFocus
          />
          <TextField
            label="Email"
            whenEmpty="Enter the person's email"
            name="email"
            type="email"
            value={email}
            onValue={setEmail}
            error={fields.email}
            autoComplete="off"
            required
          />
          <SelectField
            label="Role"
            name="role"
            value={role}
            onValue={setRole}
            error={fields.role}
            options={[
              { value: 'member', label: 'Member' },
              { value: 'admin', label: 'Admin' },
            ]}
          />
        </div>
        <div className="form-actions">
          <SubmitButton pending={action.pending}>Add user</SubmitButton>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
