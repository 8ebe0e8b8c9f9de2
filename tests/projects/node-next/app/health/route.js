// Answered at request time, so a probe shows the server is up, not a build-time copy.
export const dynamic = "force-dynamic";

export function GET() {
  return new Response("ok\n", { headers: { "content-type": "text/plain" } });
}
