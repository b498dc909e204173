#!/usr/bin/env bash
# Runs a command with the project's tools (see tools.sh) first on PATH.
set -euo pipefail
# shellcheck source=tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
provide ${VMI_TOOLS_NEEDED:-node}
exec "$@"
