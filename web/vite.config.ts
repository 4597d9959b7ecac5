/// <reference types="vitest/config" />
// The workspace shell: built into the Python package (platform/ipgov/web/static/workspace), served
// by `ipgov serve` at `/`. Plugin screens are built separately (scripts/build-extensions.mjs).
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/** Plugin screens' tests (plugins/<name>/web/src) import vitest and libraries from web/. */
const webDependencies: Plugin = {
  name: "ipgov-web-dependencies",
  enforce: "pre",
  async resolveId(id, from, options) {
    const web = import.meta.dirname;
    if (!from || /^[./\0]/.test(id) || from.startsWith(web) || id.startsWith("/@")) return null;
    return this.resolve(id, `${web}/src/main.tsx`, { ...options, skipSelf: true });
  },
};

export default defineConfig({
  plugins: [react(), webDependencies],
  base: "/",
  build: {
    outDir: "../platform/ipgov/web/static/workspace",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "echarts", test: /node_modules[\\/](echarts|zrender)/ },
            { name: "antd", test: /node_modules[\\/](antd|@ant-design|rc-|@rc-component)/ },
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
          ],
        },
      },
    },
  },
  server: { fs: { allow: [".."] }, proxy: { "/graphql": "http://127.0.0.1:8000", "/workspace-extensions": "http://127.0.0.1:8000" } },
  test: {
    // plugin screens' own tests (plugins/<name>/web/src) run here too, resolving from web/
    dir: "..",
    environment: "jsdom",
    include: ["web/src/**/*.test.{ts,tsx}", "plugins/*/web/src/**/*.test.{ts,tsx}"],
  },
});
