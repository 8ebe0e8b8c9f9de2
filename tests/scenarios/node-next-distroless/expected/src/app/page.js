export default function Home() {
  return <main>Hello from node-next-distroless</main>;
}
