#!/usr/bin/env bash
# Set up everything the project needs on a fresh machine, idempotently:
#   tools/setup.sh [--browser]
# - finds a working Python >= 3.12 and creates .venv with the project installed
# - installs the pinned Pyodide runtime with `npm ci` (package-lock.json)
# - with --browser: installs Debian's Chromium when /usr/bin/chromium is missing, and
#   nginx with its brotli_static module (the deploy/nginx.conf test) when missing
# Re-running is cheap: each step is skipped when its inputs have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

find_python() {
    # The python3.1x on PATH may be pyenv shims that exit with an error unless
    # selected, so every candidate is *run*, not just looked up.
    local c
    # newest pyenv version first
    local pyenvs
    pyenvs=$(ls -d "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV || true)
    for c in python3.14 python3.13 python3.12 $pyenvs \
             /usr/local/bin/python3 /usr/bin/python3 python3; do
        if "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
            command -v "$c" 2>/dev/null || echo "$c"
            return 0
        fi
    done
    return 1
}

# --- Python virtual environment -------------------------------------------------
if [ ! -x .venv/bin/python ]; then
    if ! py=$(find_python); then
        say "no working Python >= 3.12 found."
        say "Install one, e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.13',"
        say "then run this command again."
        exit 1
    fi
    say "creating .venv with $py ($("$py" --version 2>&1))"
    "$py" -m venv .venv
fi
stamp=.venv/.setup-stamp
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing the project and its tools into .venv"
    # (grep drops this machine's pip.conf notes about absent local mirrors)
    pipq() { .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" \
               2> >(grep -v "is ignored: it is neither" >&2); }
    pipq --upgrade pip
    pipq -e ".[docs,wasm,test]"
    echo "$want" > "$stamp"
fi

# --- Pyodide runtime (pinned in package-lock.json) --------------------------------
if [ -f package-lock.json ]; then
    lockhash=$(sha256sum package-lock.json | cut -d' ' -f1)
    if [ ! -f node_modules/.setup-stamp ] || [ "$(cat node_modules/.setup-stamp)" != "$lockhash" ]; then
        if ! command -v npm >/dev/null 2>&1; then
            say "npm is missing: install Node.js 20+ (apt-get install nodejs npm) and run again."
            exit 1
        fi
        say "npm ci (pinned Pyodide runtime)"
        npm ci --no-audit --no-fund --loglevel=error
        echo "$lockhash" > node_modules/.setup-stamp
    fi
fi

# --- Chromium and nginx for the browser tests ----------------------------------------
if [ "${1:-}" = "--browser" ]; then
    debs=()
    [ -x /usr/bin/chromium ] || debs+=(chromium)
    [ -x /usr/sbin/nginx ] || debs+=(nginx)
    [ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] \
        || debs+=(libnginx-mod-http-brotli-static)
    if [ ${#debs[@]} -gt 0 ]; then
        say "installing Debian's ${debs[*]} (browser tests)"
        sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        # (the tests start their own nginx on loopback; the system service may stay off)
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${debs[@]}" >/dev/null
    fi
fi
