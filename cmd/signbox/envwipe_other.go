//go:build !linux

package main

// wipeEnvBlock is Linux-only (envwipe_linux.go).
func wipeEnvBlock(string) error { return nil }
