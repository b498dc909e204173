//go:build tools

// Package tools pins the kustomize command the tests run `vmimages mutate --krm` under, as an
// exec KRM function: v5.8.2, the newest release that builds with Go 1.26.
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
