// Server state for every page: one TanStack Query client. A page's data is cached by its key, shown at
// once when the page is opened again and fetched afresh behind it; nothing is retried by itself (a
// failure is shown with its own "Try again"), and a window regaining focus does not refetch (a form
// being edited never changes under the person typing). Signing out or in as someone else clears it.
import { QueryClient } from '@tanstack/react-query';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: false, refetchOnWindowFocus: false, staleTime: 0 },
    mutations: { retry: false },
  },
});
