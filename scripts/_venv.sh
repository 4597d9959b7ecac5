# Shared by scripts/run and scripts/test: a Python >= 3.11 virtual environment in .venv.
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
  .venv/bin/python -m pip install -q "setuptools>=70.1" wheel
  echo "== installing ipgov${extras}" >&2
  .venv/bin/python -m pip install -q -e ".${extras}"
}
