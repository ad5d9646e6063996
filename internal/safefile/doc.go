// Package safefile writes outputs so that nothing a user relies on is lost:
//
//   - Write creates a temporary file in the output's own folder (mode 0644
//     less the umask, never executable), fills it, syncs it and renames it
//     into place; on any failure or panic the temporary file is removed, so
//     a crash never leaves half a workbook or an empty plan.
//   - Inputs records the files a command reads; Refuse and Derive keep every
//     output off them (same path, a link to them, or the same file).
//   - CheckWritable proves an output can be written before any API call.
//   - Lock takes an exclusive lock, released by the kernel when the process
//     dies, so one plan is applied by one process at a time.
package safefile
