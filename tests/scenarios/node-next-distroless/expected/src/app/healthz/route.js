import { health } from "../../health.mjs";

// Answered by the container's HEALTHCHECK and by orchestrators' probes; never cached.
export const dynamic = "force-dynamic";

export function GET() {
  return new Response(health(), { headers: { "content-type": "text/plain" } });
}
