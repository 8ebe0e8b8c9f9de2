import Image from "next/image";

export default function Page() {
  return (
    <main>
      <h1>Storefront</h1>
      <Image src="/logo.png" alt="Storefront" width={64} height={64} />
    </main>
  );
}
