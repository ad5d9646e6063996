//go:build !unix

package safefile

// NonBlock is the open flag that keeps opening a FIFO from blocking.
const NonBlock = 0
