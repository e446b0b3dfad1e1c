// Mentioning someone while writing: typing "@" and the start of a name offers the people who may
// enter the group; choosing one puts @[Name](member:id) in the text, shown as @Name and telling them.
import { useQuery } from '@tanstack/react-query';
import { type SyntheticEvent, useState } from 'react';
import { api } from '../../api.ts';

interface Mentionable {
  id: string;
  name: string;
  token: string;
}

/** "@" at the start or after a space, then 2 to 30 letters of a name, right before the caret. */
const TYPING = /(?:^|\s)@([\p{L}\p{N}][\p{L}\p{N} .'-]{1,29})$/u;

/**
 * What a text area needs to offer mentions: props to follow its caret, and the suggestions to show
 * under it (buttons: reachable by Tab, and by touch).
 */
export function useMentions(groupId: string, value: string, setValue: (value: string) => void) {
  const [caret, setCaret] = useState<number | null>(null);
  const typed = caret === null ? null : (TYPING.exec(value.slice(0, caret))?.[1] ?? null);
  const people = useQuery({
    queryKey: ['mentionable', groupId, typed?.toLowerCase()],
    queryFn: () =>
      api.get<{ data: Mentionable[] }>(`/hub/groups/${encodeURIComponent(groupId)}/mentionable`, {
        q: typed ?? '',
      }),
    enabled: typed !== null,
    staleTime: 30_000,
  });
  const choose = (person: Mentionable) => {
    if (caret === null || typed === null) return;
    const start = caret - typed.length - 1;
    setValue(`${value.slice(0, start)}${person.token} ${value.slice(caret)}`);
    setCaret(null);
  };
  const found = typed !== null ? (people.data?.data ?? []) : [];
  return {
    textAreaProps: {
      onSelect: (event: SyntheticEvent<HTMLTextAreaElement>) => setCaret(event.currentTarget.selectionStart),
    },
    suggestions:
      found.length > 0 ? (
        <fieldset className="mention-suggestions">
          <legend className="visually-hidden">Mention someone</legend>
          {found.map((person) => (
            <button
              key={person.id}
              type="button"
              className="button button-small"
              onClick={() => choose(person)}
            >
              @{person.name}
            </button>
          ))}
        </fieldset>
      ) : null,
  };
}
