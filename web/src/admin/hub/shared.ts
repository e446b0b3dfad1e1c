// Shared by the Hub pages of the dashboard.
export const groupPath = (id: string) => `/hub-groups/${encodeURIComponent(id)}`;
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
