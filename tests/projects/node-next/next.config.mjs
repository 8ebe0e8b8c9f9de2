/** @type {import('next').NextConfig} */
const nextConfig = {
  // No `output: "standalone"`: the team runs `next start` on its servers.
  poweredByHeader: false,
  images: { formats: ["image/webp"] },
};

export default nextConfig;
