import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** `tideline dev`'s address; `TIDELINE_API` points `vite dev` at another one. */
const api = process.env.TIDELINE_API ?? "http://127.0.0.1:8288";
const proxied = ["/v0", "/v1", "/e", "/fn", "/dev"];

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: api, changeOrigin: false }])),
  },
});
