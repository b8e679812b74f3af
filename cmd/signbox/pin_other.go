//go:build !linux

package main

import "golang.org/x/term"

// readNoEcho reads one line from the terminal fd with echo off.
func readNoEcho(fd int) ([]byte, error) { return term.ReadPassword(fd) }
