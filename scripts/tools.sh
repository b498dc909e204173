#!/usr/bin/env bash
# Provides the tools this project runs on, in the git-ignored .tools/ folder:
#   node    Node.js >= 22 (the machine's own when recent enough, else the npm "node" package)
# Usage:  scripts/tools.sh [node ...]   provide the named tools (default: all) and print what is used
#         source scripts/tools.sh --env  put the provided tools on PATH without building anything
# Each tool is built once and reused; delete .tools/ to start from nothing.
set -euo pipefail

VMI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VMI_TOOLS="${VMI_TOOLS:-$VMI_ROOT/.tools}"
NODE_VERSION=22.23.3
NODE_MIN_MAJOR=22

log() { echo "tools: $*" >&2; }

node_major() { "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }

provide_node() {
  local sys
  sys="$(command -v node || true)"
  if [ -z "${VMI_FORCE_NODE:-}" ] && [ -n "$sys" ] && [ "$(node_major "$sys")" -ge "$NODE_MIN_MAJOR" ]; then
    log "node: $sys ($("$sys" --version), from PATH)"
    return
  fi
  local dir="$VMI_TOOLS/node-$NODE_VERSION"
  if [ ! -x "$dir/node_modules/node/bin/node" ]; then
    log "node: installing node@$NODE_VERSION from the npm registry (machine has ${sys:-none} $( [ -n "$sys" ] && "$sys" --version))"
    mkdir -p "$dir"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dir" "node@$NODE_VERSION" >&2
  fi
  "$dir/node_modules/node/bin/node" --version >/dev/null
  export PATH="$dir/node_modules/node/bin:$PATH"
  log "node: $dir/node_modules/node/bin/node ($(node --version))"
}

provide() {
  for tool in "$@"; do
    case "$tool" in
      node) provide_node ;;
      *) log "unknown tool '$tool' (known: node)"; return 2 ;;
    esac
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  if [ $# -eq 0 ]; then set -- node; fi
  provide "$@"
fi
