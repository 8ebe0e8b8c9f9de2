import { Button } from "@repo/ui/button";

export default function Home() {
  return (
    <main>
      <h1>Storefront</h1>
      <Button>Add to cart</Button>
    </main>
  );
}
