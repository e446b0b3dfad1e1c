// A map that forgets its least recently used entries past a bound: what every in-process cache here is
// kept in, so none grows with the number of people or groups it has seen.

export interface Lru<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
}

export function lru<V>(max: number): Lru<V> {
  const entries = new Map<string, V>();
  // The key at the recent end already: a hot key read again and again is not moved each time.
  let newest: string | undefined;
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined && key !== newest) {
        entries.delete(key);
        entries.set(key, value);
        newest = key;
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      newest = key;
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
  };
}
