# Shared by scripts/run and scripts/test: a Python >= 3.11 virtual environment in .venv.
#
# Installing is skipped when nothing it depends on changed since the last successful install
# (a stamp in .venv holds the hash of those files and of the pip arguments), so a second
# start does not reinstall the package. IPGOV_REINSTALL=1 forces the installs.

# install_if_changed NAME FILE... -- PIP-INSTALL-ARGS...
# Runs `pip install ARGS` unless FILEs and ARGS are unchanged since the last success of NAME.
install_if_changed() {
  local name="$1" files=() digest stamp
  shift
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do files+=("$1"); shift; done
  shift
  stamp=".venv/.installed-${name}"
  digest="$(cat "${files[@]}" | sha256sum | cut -d' ' -f1) $*"
  if [ "${IPGOV_REINSTALL:-0}" != "1" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    echo "== ${name} is up to date" >&2
    return 0
  fi
  echo "== installing ${name}" >&2
  .venv/bin/python -m pip install -q "$@"
  printf '%s' "$digest" > "$stamp"
}

ensure_venv() {
  local extras="$1" py="${PYTHON:-}"
  if [ -z "$py" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
        'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        py="$candidate"; break
      fi
    done
  fi
  if [ -z "$py" ]; then
    echo "ipgov needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $py" >&2
    "$py" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
  fi
  # setuptools 77 reads the SPDX `license` string of pyproject.toml
  install_if_changed build-tools scripts/_venv.sh -- "setuptools>=77" wheel
  install_if_changed "ipgov${extras}" pyproject.toml -- -e ".${extras}"
}
