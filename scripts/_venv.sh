# Sourced by scripts/run and scripts/test: create .venv with Python 3.11 and install the
# given requirements file, again only when it changed (a stamp holds its checksum).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON_BIN="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PYTHON_BIN" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Python 3.11 is required (found: $("$PYTHON_BIN" --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON_BIN" -m venv .venv

ensure_requirements() {
  local file="$1" stamp=".venv/.stamp-$(basename "$1")"
  local sum
  sum="$(cat "$file" requirements.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "Installing $file into .venv ..."
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$file"
    echo "$sum" > "$stamp"
  fi
}
mkdir -p var/tmp
export TMPDIR="$ROOT/var/tmp"
