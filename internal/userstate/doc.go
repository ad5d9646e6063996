// Package userstate keeps what wpimport remembers for one user between
// runs, in one folder only that user can read (0700, files 0600):
//
//   - key: 32 random bytes (hex), made on first use. plan seals every plan
//     file it writes with an HMAC-SHA256 under this key; apply trusts a plan
//     without --approved only if its seal checks out, i.e. this user's
//     wpimport wrote exactly these bytes.
//   - applied/DIGEST.json: one small file per plan applied, naming when it
//     was first applied and the journals its runs used, so that a copy of a
//     plan that was already applied is not applied again by mistake.
//
// The folder is $WPIMPORT_STATE_DIR, else $XDG_STATE_HOME/wpimport, else
// ~/.local/state/wpimport; on Windows and macOS, os.UserConfigDir()/wpimport.
package userstate
