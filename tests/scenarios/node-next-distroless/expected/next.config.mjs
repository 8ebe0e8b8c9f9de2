/** @type {import('next').NextConfig} */
const nextConfig = {
  // A self-contained server.js with only the node_modules it needs: what the image ships.
  output: "standalone",
};

export default nextConfig;
