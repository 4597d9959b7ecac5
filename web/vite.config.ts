/// <reference types="vitest/config" />
// The workspace shell: built into the Python package (platform/ipgov/web/static/workspace), served
// by `ipgov serve` at `/`. Plugin screens are built separately (scripts/build-extensions.mjs).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
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
  server: { proxy: { "/graphql": "http://127.0.0.1:8000", "/workspace-extensions": "http://127.0.0.1:8000" } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
