//go:build tools

// Package tools pins the Go programs and types the k8s check builds (infra/install.sh):
// controller-gen, which writes the prometheus-operator CRDs (ServiceMonitor, PrometheusRule)
// from the operator's own API types, so the check validates against their real schemas offline.
package tools

import (
	_ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
