import Link from 'next/link';

export default function About() {
  return (
    <main>
      <p>A minimal Next.js app with Firstlight installed from npm.</p>
      <Link href="/">Home</Link>
    </main>
  );
}
