//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// maxEnvBlock bounds the environment block read back; Linux limits one
// variable to 128 KiB and all arguments plus environment to a quarter of
// the stack limit.
const maxEnvBlock = 8 << 20

// wipeEnvBlock zeroes the value of every name=... entry in the
// environment block the kernel put on the initial stack at exec, between
// the env_start and env_end addresses of /proc/self/stat. It reads and
// writes that memory with process_vm_readv/writev on this process, which
// needs no /proc/self/mem (unreadable once the process is not dumpable)
// and turns a wrong address into EFAULT rather than a stray write.
func wipeEnvBlock(name string) error {
	start, end, err := envBlock()
	if err != nil {
		return fmt.Errorf("%w: %v", errEnvBlock, err)
	}
	buf := make([]byte, end-start)
	defer clear(buf)
	if err := vmIO(unix.ProcessVMReadv, buf, start); err != nil {
		return fmt.Errorf("%w: read: %v", errEnvBlock, err)
	}
	prefix := []byte(name + "=")
	for off := 0; off < len(buf); {
		n := bytes.IndexByte(buf[off:], 0)
		if n < 0 {
			n = len(buf) - off
		}
		if entry := buf[off : off+n]; bytes.HasPrefix(entry, prefix) && len(entry) > len(prefix) {
			val := entry[len(prefix):]
			clear(val)
			if err := vmIO(unix.ProcessVMWritev, val, start+uintptr(off+len(prefix))); err != nil {
				return fmt.Errorf("%w: write: %v", errEnvBlock, err)
			}
		}
		off += n + 1
	}
	return nil
}

func vmIO(op func(int, []unix.Iovec, []unix.RemoteIovec, uint) (int, error), local []byte, remote uintptr) error {
	iov := []unix.Iovec{{Base: &local[0]}}
	iov[0].SetLen(len(local))
	n, err := op(os.Getpid(), iov, []unix.RemoteIovec{{Base: remote, Len: len(local)}}, 0)
	if err != nil {
		return err
	}
	if n != len(local) {
		return fmt.Errorf("%d of %d bytes", n, len(local))
	}
	return nil
}

// envBlock reads env_start and env_end (fields 50 and 51, Linux 3.5+)
// from /proc/self/stat.
func envBlock() (start, end uintptr, err error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, 0, err
	}
	// Field 2, the command name, is in parentheses and may hold spaces
	// and parentheses; field 3 starts after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/self/stat: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 51-2 {
		return 0, 0, fmt.Errorf("/proc/self/stat: %d fields, no env_start/env_end", len(f)+2)
	}
	s, err1 := strconv.ParseUint(f[50-3], 10, 64)
	e, err2 := strconv.ParseUint(f[51-3], 10, 64)
	if err1 != nil || err2 != nil || s == 0 || e <= s || e-s > maxEnvBlock {
		return 0, 0, fmt.Errorf("/proc/self/stat: env_start %q, env_end %q", f[50-3], f[51-3])
	}
	return uintptr(s), uintptr(e), nil
}
