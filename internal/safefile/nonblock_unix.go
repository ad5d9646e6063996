//go:build unix

package safefile

import "syscall"

// NonBlock is the open flag that keeps opening a FIFO from blocking.
const NonBlock = syscall.O_NONBLOCK
