//go:build !linux

package main

// harden is Linux-only (harden_linux.go); signbox's appliance runs on Linux.
func harden() error { return nil }
