import type { RequestFlagsOptions } from 'firstlight/next';

/** One options object for the pages, the layout and the route (the same object every time). */
export const FLAGS: RequestFlagsOptions = {
  // Who is signed in. A real app awaits its session here (`const session = await auth()`).
  identify: async ({ cookies }) => {
    const id = cookies.get('example_user')?.value;
    return id && /^[\w.@-]{1,64}$/.test(id) ? { userID: id } : undefined;
  },
};
