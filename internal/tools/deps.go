//go:build tools

// Package tools pins the module's chosen dependencies in go.mod before
// every package that uses them exists, so parallel work never edits go.mod
// at the same time. It is never built.
package tools

import (
	_ "github.com/CycloneDX/cyclonedx-go"
	_ "github.com/charmbracelet/bubbles/textinput"
	_ "github.com/charmbracelet/bubbletea"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/charmbracelet/x/exp/golden"
	_ "github.com/charmbracelet/x/exp/teatest"
	_ "github.com/google/osv-scalibr/semantic"
	_ "github.com/miekg/pkcs11"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/secure-systems-lab/go-securesystemslib/dsse"
	_ "github.com/stretchr/testify/require"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/mod/sumdb/note"
	_ "golang.org/x/mod/sumdb/tlog"
	_ "golang.org/x/term"
)
