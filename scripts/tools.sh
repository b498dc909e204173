#!/usr/bin/env bash
# Provides the tools this project runs on, in the git-ignored .tools/ folder (bin/ goes first on PATH):
#   node        Node.js >= 22.19: the machine's own when recent enough, else the npm registry's "node" package
#   pulumi      the Pulumi CLI v3.259.0 (matches @pulumi/pulumi): the one on PATH if there is one, else built
#               from the Go module github.com/pulumi/pulumi/pkg/v3 through the wrapper module scripts/go/pulumi
#   kubernetes  the pulumi-resource-kubernetes plugin (4.25.0, matches @pulumi/kubernetes), built from
#               github.com/pulumi/pulumi-kubernetes/provider/v4 through scripts/go/kubernetes
#   govmomi     vcsim (the vCenter simulator), govc and vmimages-guestids (govmomi's guest ids and their CIM
#               types, for the OS family tests), built from github.com/vmware/govmomi v0.56.0 through
#               scripts/go/govmomi (vcsim patched to give updated items a new content version)
#   pulumi      also the Node.js language host pulumi-language-nodejs: the one beside a pulumi found on PATH,
#               else built from ../shared/vendor/pulumi-language-nodejs (its upstream source, v3.259.0), and
#               the dynamic-provider launcher pulumi-resource-pulumi-nodejs that @pulumi/pulumi ships
#   kube        kube-apiserver and kubectl (v1.35.4) and etcd (v3.6.5), built from k8s.io/kubernetes and
#               go.etcd.io/etcd/server/v3 through scripts/go/kube and scripts/go/etcd, for the cluster tests
#   kustomize   kustomize (v5.8.2), built from sigs.k8s.io/kustomize/kustomize/v5 through scripts/go/kustomize,
#               for the tests of `vmimages mutate --krm` as an exec KRM function
#   python      the Python language host pulumi-language-python (with pulumi-language-python-exec), beside a
#               pulumi found on PATH or built from ../shared/vendor, and a virtual environment .tools/python
#               with PyPI's pulumi of the CLI's version, first on PATH
#   golang      the Go language host pulumi-language-go, beside a pulumi found on PATH or built from ../shared/vendor
#   yaml        the YAML language host pulumi-language-yaml (v1.25.0), built from github.com/pulumi/pulumi-yaml
#               through scripts/go/pulumi-yaml
#
# Usage:  scripts/tools.sh [node|pulumi|kubernetes|govmomi|kube|kustomize|python|golang|yaml ...]   provide them (default: all) and say what is used
#         source scripts/tools.sh; provide node pulumi              the same, from another script, exporting PATH
# Everything built is reused on the next run (and Go's module and build caches make rebuilds fast);
# delete .tools/ to start from nothing. Builds need Go and the Go module proxy, nothing else.
set -euo pipefail

VMI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VMI_TOOLS="${VMI_TOOLS:-$VMI_ROOT/.tools}"
VMI_BIN="$VMI_TOOLS/bin"
NODE_VERSION=22.23.3
# The oldest Node.js the project runs on: the Kubernetes client's undici needs 22.19.
NODE_MIN=22.19
PULUMI_VERSION=v3.259.0
KUBERNETES_VERSION=4.25.0
# The provider/v4 module has no tags of its own: this commit (2026-01-15) is the v4.25.0 release line.
KUBERNETES_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
KUBERNETES_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
GOVMOMI_VERSION=v0.56.0
# The Kubernetes API server the tests run the images against, with kubectl, and the etcd it pins.
KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.5
KUSTOMIZE_VERSION=v5.8.2
PULUMI_YAML_VERSION=v1.25.0

mkdir -p "$VMI_BIN"
case ":$PATH:" in *":$VMI_BIN:"*) ;; *) export PATH="$VMI_BIN:$PATH" ;; esac

log() { echo "tools: $*" >&2; }

# A fingerprint of a wrapper module's files and of this script, so editing either rebuilds the tools.
src_hash() { (cd "$1" && { find . -type f ! -name '*-embed.json' | LC_ALL=C sort | xargs sha256sum; sha256sum < "$VMI_ROOT/scripts/tools.sh"; } | sha256sum | cut -c1-16); }
die() { log "ERROR: $*"; return 1; }

# Whether the node at $1 is NODE_MIN or newer.
node_recent() { "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); const [x, y] = process.argv[1].split(".").map(Number); process.exit(a > x || (a === x && b >= y) ? 0 : 1)' "$NODE_MIN" 2>/dev/null; }

provide_node() {
  local sys
  sys="$(command -v node || true)"
  if [ -z "${VMI_FORCE_NODE:-}" ] && [ -n "$sys" ] && node_recent "$sys"; then
    log "node: $sys ($("$sys" --version), from PATH)"
    return
  fi
  local dir="$VMI_TOOLS/node-$NODE_VERSION"
  if [ ! -x "$dir/node_modules/node/bin/node" ]; then
    log "node: installing node@$NODE_VERSION from the npm registry (the machine has ${sys:-no node}${sys:+ $("$sys" --version)})"
    mkdir -p "$dir"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dir" "node@$NODE_VERSION" >&2
  fi
  "$dir/node_modules/node/bin/node" --version >/dev/null || die "node@$NODE_VERSION from npm does not run here"
  export PATH="$dir/node_modules/node/bin:$PATH"
  log "node: $dir/node_modules/node/bin/node ($(node --version))"
}

require_go() {
  command -v go >/dev/null || die "Go is needed to build $1 (https://go.dev/dl/); none is on PATH"
}

# Builds with the committed go.mod/go.sum of a wrapper module. The checksum database does not know
# some pulumi modules the proxy serves, so their hashes come from our go.sum instead.
go_build() {
  GOFLAGS=-mod=mod GONOSUMDB="github.com/pulumi" GOTOOLCHAIN=local go build -trimpath "$@"
}

# Builds a tool from Go once: `build_once NAME STAMP "OUTPUTS" WHAT BUILDER [ARG...]`. When the stamp
# and every output are there, says so; else runs BUILDER in a subshell (a function that builds the
# outputs, its output sent to stderr) and writes the stamp, whose name holds the version and a hash
# of the sources. WHAT says what is built from where, with how long it takes in a last "(...)".
build_once() {
  local name="$1" stamp="$2" outputs="$3" what="$4" out start
  shift 4
  for out in $outputs; do [ -x "$out" ] || { out=missing; break; }; done
  if [ "$out" != missing ] && [ -f "$stamp" ]; then
    log "$name: $outputs (${what% (*}, built before)"
    return
  fi
  require_go "$name"
  log "$name: building $what"
  start=$SECONDS
  ("$@") >&2 || die "building $name failed (see above)"
  touch "$stamp"
  log "$name: built $outputs in $((SECONDS - start))s"
}

build_pulumi() {
  cd "$VMI_ROOT/scripts/go/pulumi" && go_build -o "$VMI_BIN/pulumi" -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

provide_pulumi() {
  local sys stamp="$VMI_BIN/.pulumi-$PULUMI_VERSION-$(src_hash "$VMI_ROOT/scripts/go/pulumi")"
  sys="$(command -v pulumi || true)"
  if [ -n "$sys" ] && [ "$sys" != "$VMI_BIN/pulumi" ] && [ -z "${VMI_FORCE_BUILD:-}" ]; then
    log "pulumi: $sys ($("$sys" version 2>/dev/null || echo '?'), from PATH)"
  else
    build_once pulumi "$stamp" "$VMI_BIN/pulumi" "$PULUMI_VERSION from github.com/pulumi/pulumi/pkg/v3 (a few minutes, once)" build_pulumi || return
  fi
  provide_language_host nodejs "$(command -v pulumi)"
  provide_dynamic_launcher
}

# A language host of Pulumi's, without which the CLI cannot run a project of that runtime. A Pulumi
# installation ships them beside the CLI; this project's own CLI gets them built from the vendored
# upstream source (the module proxy does not serve them), with the released pkg/sdk modules.
provide_language_host() {
  local language="$1" cli="$2" beside host vendor
  host="$VMI_BIN/pulumi-language-$language"
  vendor="$VMI_ROOT/../shared/vendor/pulumi-language-$language"
  beside="$(dirname "$cli")/pulumi-language-$language"
  if [ "$cli" != "$VMI_BIN/pulumi" ] && [ -x "$beside" ]; then
    log "pulumi-language-$language: $beside (beside $cli)"
    return
  fi
  [ -d "$vendor" ] || die "pulumi-language-$language: no Pulumi installation beside $cli ships it and its source is not at $vendor" || return
  build_once "pulumi-language-$language" "$VMI_BIN/.language-$language-$PULUMI_VERSION-$(src_hash "$vendor")" "$host" "$PULUMI_VERSION from $vendor" \
    build_language_host "$language" "$vendor" "$host"
}

build_language_host() {
  local language="$1" vendor="$2" host="$3" build="$VMI_TOOLS/build/language-$1"
  rm -rf "$build" && mkdir -p "$(dirname "$build")" && cp -r "$vendor" "$build" && chmod -R u+w "$build" || return
  (cd "$build" && go mod edit -dropreplace github.com/pulumi/pulumi/pkg/v3 -dropreplace github.com/pulumi/pulumi/sdk/v3 \
    -require "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" -require "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
    && go_build -o "$host" -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" .) || return
  # The Python host runs this script, which it finds beside itself.
  if [ -f "$build/pulumi-language-$language-exec" ]; then
    cp "$build/pulumi-language-$language-exec" "$host-exec" && chmod +x "$host-exec" || return
  fi
  rm -rf "$build"
}

# Dynamic providers run through the launcher @pulumi/pulumi ships: it resolves the SDK from the
# folder the engine starts it in (the program's), so it serves any project on the machine.
provide_dynamic_launcher() {
  local launcher="$VMI_BIN/pulumi-resource-pulumi-nodejs" shipped="$VMI_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [ -f "$shipped" ]; then
    cp "$shipped" "$launcher.tmp" && chmod +x "$launcher.tmp" && mv "$launcher.tmp" "$launcher"
  elif [ ! -x "$launcher" ]; then
    die "pulumi-resource-pulumi-nodejs: $shipped is missing; run npm ci first"
  fi
}

# Python programs: the Python language host, and a virtual environment with the Pulumi SDK of the
# CLI's version (PyPI's pulumi) whose python3 comes first on PATH, where the host looks for it.
provide_python() {
  provide_language_host python "$(command -v pulumi || echo "$VMI_BIN/pulumi")"
  local venv="$VMI_TOOLS/python" want="pulumi==${PULUMI_VERSION#v}"
  # pip's whole answer first: grep -q leaving early would fail pip on a closed pipe, and pipefail the test.
  local shown=""
  [ -x "$venv/bin/python3" ] && shown="$("$venv/bin/python3" -m pip show pulumi 2>/dev/null || true)"
  if grep -qx "Version: ${PULUMI_VERSION#v}" <<<"$shown"; then
    log "python: $venv ($("$venv/bin/python3" --version), $want, made before)"
  else
    command -v python3 >/dev/null || die "python: python3 (3.9 or later) is needed for the Python examples and tests"
    log "python: making $venv with $want"
    local start=$SECONDS
    rm -rf "$venv" && python3 -m venv "$venv" && "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "$want" >&2 \
      || die "python: installing $want into $venv failed (see above)"
    log "python: made $venv in $((SECONDS - start))s"
  fi
  case ":$PATH:" in *":$venv/bin:"*) ;; *) export PATH="$venv/bin:$PATH" ;; esac
}

# YAML programs: the YAML language host, from the Go module github.com/pulumi/pulumi-yaml with its
# own requirements (it does not build against the CLI's pkg/v3).
provide_yaml() {
  build_once pulumi-language-yaml "$VMI_BIN/.language-yaml-$PULUMI_YAML_VERSION-$(src_hash "$VMI_ROOT/scripts/go/pulumi-yaml")" "$VMI_BIN/pulumi-language-yaml" \
    "$PULUMI_YAML_VERSION from github.com/pulumi/pulumi-yaml" build_yaml
}

build_yaml() {
  cd "$VMI_ROOT/scripts/go/pulumi-yaml" && go_build -o "$VMI_BIN/pulumi-language-yaml" -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$PULUMI_YAML_VERSION" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
}

provide_kubernetes() {
  build_once kubernetes "$VMI_BIN/.kubernetes-$KUBERNETES_VERSION-$(src_hash "$VMI_ROOT/scripts/go/kubernetes")" "$VMI_BIN/pulumi-resource-kubernetes" \
    "pulumi-resource-kubernetes $KUBERNETES_VERSION from $KUBERNETES_MODULE@$KUBERNETES_MODULE_VERSION (several minutes, once)" build_kubernetes
}

build_kubernetes() {
  local build="$VMI_TOOLS/build/kubernetes" src
  rm -rf "$build" && mkdir -p "$build" && cp "$VMI_ROOT"/scripts/go/kubernetes/{go.mod,go.sum,main.go} "$build/" || return
  src="$(cd "$build" && GOFLAGS=-mod=mod GONOSUMDB="github.com/pulumi" go mod download -json "$KUBERNETES_MODULE@$KUBERNETES_MODULE_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$src" ] && [ -d "$src" ] || die "could not download $KUBERNETES_MODULE@$KUBERNETES_MODULE_VERSION" || return
  # The plugin's main embeds schema files that only its repository's generator writes; the module
  # ships them as schema.json and terraform-mapping.json beside main.go.
  cp "$src/cmd/pulumi-resource-kubernetes/schema.json" "$build/schema-embed.json" \
    && cp "$src/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$build/terraform-mapping-embed.json" || return
  # That commit was built against pulumi/pkg v3.215, which the proxy does not serve; v3.259 made
  # PackageSpec.Provider a pointer. A patched copy, built in place of the module, mends that one line.
  cp -r "$src" "$build/provider" && chmod -R u+w "$build/provider" || return
  sed -i 's/^\(\t\tProvider: \)pschema.ResourceSpec{/\1\&pschema.ResourceSpec{/' "$build/provider/pkg/gen/schema.go"
  grep -q 'Provider: &pschema.ResourceSpec{' "$build/provider/pkg/gen/schema.go" || die "the pulumi-kubernetes patch no longer applies" || return
  (cd "$build" && go mod edit -replace "$KUBERNETES_MODULE=./provider" && go_build -o "$VMI_BIN/pulumi-resource-kubernetes" \
    -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$KUBERNETES_VERSION" .) || return
  rm -rf "$build"
}

provide_govmomi() {
  build_once govmomi "$VMI_BIN/.govmomi-$GOVMOMI_VERSION-$(src_hash "$VMI_ROOT/scripts/go/govmomi")" "$VMI_BIN/vcsim $VMI_BIN/govc $VMI_BIN/vmimages-guestids" \
    "vcsim and govc from github.com/vmware/govmomi $GOVMOMI_VERSION" build_govmomi
}

build_govmomi() {
  local build="$VMI_TOOLS/build/govmomi" src
  rm -rf "$build" && mkdir -p "$build" && cp -r "$VMI_ROOT/scripts/go/govmomi/." "$build/" || return
  src="$(cd "$build" && GOFLAGS=-mod=mod go mod download -json "github.com/vmware/govmomi@$GOVMOMI_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$src" ] && [ -d "$src" ] || die "could not download github.com/vmware/govmomi@$GOVMOMI_VERSION" || return
  # vCenter gives an item a new content version when an update session completes; vcsim leaves a
  # TODO there. A patched copy makes the simulator do what vCenter does, so change detection by
  # content version can be tested against it.
  cp -r "$src" "$build/govmomi" && chmod -R u+w "$build/govmomi" || return
  local sim="$build/govmomi/vapi/simulator/simulator.go"
  awk '{ print } /^\t\tcase "complete":$/ && !done { print "\t\t\tif _, item := s.libraryItemByID(session.LibraryItemID); item != nil {"; print "\t\t\t\titem.ContentVersion = getVersionString(item.ContentVersion)"; print "\t\t\t}"; done = 1 }' "$sim" > "$sim.new" && mv "$sim.new" "$sim"
  grep -q 'item.ContentVersion = getVersionString(item.ContentVersion)' "$sim" || die "the vcsim content-version patch no longer applies" || return
  (cd "$build" && go mod edit -replace "github.com/vmware/govmomi=./govmomi" && go_build -o "$VMI_BIN/" ./vcsim ./govc \
    && go_build -o "$VMI_BIN/vmimages-guestids" ./guestids) || return
  rm -rf "$build"
}

provide_kube() {
  build_once kube "$VMI_BIN/.kube-$KUBE_VERSION-$ETCD_VERSION-$(src_hash "$VMI_ROOT/scripts/go/kube")-$(src_hash "$VMI_ROOT/scripts/go/etcd")" \
    "$VMI_BIN/kube-apiserver $VMI_BIN/kubectl $VMI_BIN/etcd" "kube-apiserver and kubectl $KUBE_VERSION and etcd $ETCD_VERSION (about 10 minutes from nothing, once)" build_kube
}

build_kube() {
  # Without the version stamp the server reports v0.0.0-master.
  (cd "$VMI_ROOT/scripts/go/kube" && go_build -o "$VMI_BIN/" \
    -ldflags "-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${KUBE_VERSION#v1.}" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl) \
    && cd "$VMI_ROOT/scripts/go/etcd" && go_build -o "$VMI_BIN/etcd" .
}

provide_kustomize() {
  build_once kustomize "$VMI_BIN/.kustomize-$KUSTOMIZE_VERSION-$(src_hash "$VMI_ROOT/scripts/go/kustomize")" "$VMI_BIN/kustomize" \
    "$KUSTOMIZE_VERSION from sigs.k8s.io/kustomize/kustomize/v5" build_kustomize
}

build_kustomize() {
  cd "$VMI_ROOT/scripts/go/kustomize" && go_build -o "$VMI_BIN/kustomize" sigs.k8s.io/kustomize/kustomize/v5
}

provide() {
  for tool in "$@"; do
    case "$tool" in
      kube) provide_kube ;;
      kustomize) provide_kustomize ;;
      node) provide_node ;;
      pulumi) provide_pulumi ;;
      kubernetes) provide_kubernetes ;;
      govmomi) provide_govmomi ;;
      python) provide_python ;;
      golang) provide_language_host go "$(command -v pulumi || echo "$VMI_BIN/pulumi")" ;;
      yaml) provide_yaml ;;
      *) die "unknown tool '$tool' (known: node pulumi kubernetes govmomi kube kustomize python golang yaml)" ;;
    esac
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  if [ $# -eq 0 ]; then set -- node pulumi kubernetes govmomi kube kustomize python golang yaml; fi
  provide "$@"
fi
