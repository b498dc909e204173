//go:build tools

// Package tools pins the YAML language host of Pulumi that scripts/tools.sh builds, with the
// requirements of its own module (it does not build against the CLI's pkg/v3).
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
