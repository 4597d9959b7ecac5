// Builds each first-party plugin's workspace screens (plugins/<name>/web/src/index.tsx) into
// plugins/<name>/web/dist/index.js: one ES module exporting `mount(element, context)`.
// React, Ant Design and @ipgov/workspace-sdk are not bundled: their imports are rewritten to the
// shell's own copies (globalThis.__ipgovShared, set by src/app/extensions.tsx), so a plugin
// bundle holds only its screens and shares the shell's React (one React, one theme, one cache).
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import ts from "typescript";
import { build } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, "..");
const require = createRequire(path.join(web, "package.json"));
const SHARED = ["react", "react/jsx-runtime", "react-dom", "react-dom/client", "antd"];
const SDK = "@ipgov/workspace-sdk";

/** The names a module exports, so `import { useState } from "react"` keeps working. */
function exportsOf(id) {
  if (id === SDK) {
    const file = path.join(web, "src/sdk/index.tsx");
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const names = [];
    source.forEachChild((node) => {
      const exported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (exported && (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) names.push(node.name.text);
      if (exported && ts.isVariableStatement(node)) node.declarationList.declarations.forEach((d) => names.push(d.name.getText()));
      if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.exportClause && ts.isNamedExports(node.exportClause)) {
        node.exportClause.elements.filter((e) => !e.isTypeOnly).forEach((e) => names.push(e.name.text));
      }
    });
    return names;
  }
  return Object.keys(require(id)).filter((name) => name !== "default" && /^[A-Za-z_$][\w$]*$/.test(name));
}

function sharedLibraries() {
  const prefix = "\0ipgov-shared:";
  return {
    name: "ipgov-shared-libraries",
    enforce: "pre",
    resolveId(id) {
      return SHARED.includes(id) || id === SDK ? prefix + id : null;
    },
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const name = id.slice(prefix.length);
      const names = exportsOf(name);
      return [
        `const m = globalThis.__ipgovShared?.[${JSON.stringify(name)}];`,
        `if (!m) throw new Error("the ipgov workspace shares no module ${name}: load this screen from the workspace");`,
        "export default m.default ?? m;",
        ...names.map((n) => `export const ${n} = m[${JSON.stringify(n)}];`),
      ].join("\n");
    },
  };
}

/** Other bare imports (a small library a screen bundles, e.g. fflate) resolve from web/'s own
 * node_modules, as they do for the type-check (tsconfig paths), wherever the plugin lives. */
function webDependencies() {
  const importer = path.join(web, "src/main.tsx");
  return {
    name: "ipgov-web-dependencies",
    async resolveId(id, from, options) {
      if (!from || id.startsWith(".") || id.startsWith("/") || id.startsWith("\0") || from.startsWith(web + path.sep)) return null;
      return this.resolve(id, importer, { ...options, skipSelf: true });
    },
  };
}

function pluginEntries() {
  const roots = [path.resolve(web, "../plugins")];
  return roots.flatMap((root) => existsSync(root) ? readdirSync(root).map((name) => ({
    name, entry: path.join(root, name, "web/src/index.tsx"), outDir: path.join(root, name, "web/dist"),
  })) : []).filter((p) => existsSync(p.entry));
}

for (const plugin of pluginEntries()) {
  console.log(`== workspace screens of ${plugin.name}`);
  await build({
    configFile: false, root: web, logLevel: "warn",
    plugins: [sharedLibraries(), webDependencies(), react()],
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    build: {
      outDir: plugin.outDir, emptyOutDir: true, minify: true,
      lib: { entry: plugin.entry, formats: ["es"], fileName: () => "index.js" },
    },
  });
}
