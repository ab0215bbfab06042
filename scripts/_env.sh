# Sourced by scripts/run: read a .env file (KEY=VALUE lines) into the environment.

# Read KEY=VALUE lines from a file into the environment, without running anything in it and
# without overriding a variable that is already set (even to an empty value).
load_env_file() {
  local file="$1" line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    if [[ ! "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      echo "scripts/run: $file: ignored a line that is not KEY=VALUE: $line" >&2
      continue
    fi
    key="${BASH_REMATCH[2]}"
    value="${BASH_REMATCH[3]}"
    if [[ "$value" =~ ^\"(.*)\"[[:space:]]*$ || "$value" =~ ^\'(.*)\'[[:space:]]*$ ]]; then
      value="${BASH_REMATCH[1]}"
    else
      value="${value%%[[:space:]]#*}"                # an unquoted value ends at " #"
      value="${value%"${value##*[![:space:]]}"}"   # and loses trailing blanks
    fi
    [ -n "${!key+set}" ] || export "$key=$value"
  done < "$file"
}
