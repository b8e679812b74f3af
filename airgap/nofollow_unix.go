package airgap

import "syscall"

// openNoFollow makes opening the media path itself refuse a symlink.
const openNoFollow = syscall.O_NOFOLLOW
