//go:build tools

// Package tools pins the Kubernetes commands the tests run against (kube-apiserver, kubectl):
// k8s.io/kubernetes replaces its staging modules with ./staging/..., so this wrapper module names
// each at the matching v0 release instead (see go.mod).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
