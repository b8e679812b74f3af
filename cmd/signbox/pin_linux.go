//go:build linux

package main

import "golang.org/x/sys/unix"

// readNoEcho reads one line from the terminal fd with echo off. It does
// what term.ReadPassword does, but reads through readPINLine, whose buffer
// is sized once and bounded, where ReadPassword grows an unbounded slice
// and leaves partial copies of the PIN in the arrays it outgrows.
func readNoEcho(fd int) ([]byte, error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	return readPINLine(fdReader(fd))
}
