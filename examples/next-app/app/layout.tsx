import { Suspense, type ReactNode } from 'react';
import { getBootstrap } from 'firstlight/next';
import { FirstlightProvider } from 'firstlight/react';
import { FLAGS } from './flags';

export const metadata = { title: 'Firstlight example' };

// Flags depend on the request (cookies, headers): under cacheComponents that part renders at
// request time, inside <Suspense>; the rest of the layout stays in the static shell.
async function WithFlags({ children }: { children: ReactNode }) {
  return <FirstlightProvider {...await getBootstrap(FLAGS)}>{children}</FirstlightProvider>;
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Suspense>
          <WithFlags>{children}</WithFlags>
        </Suspense>
      </body>
    </html>
  );
}
