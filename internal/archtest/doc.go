// Package archtest holds the test that keeps wpimport's layers apart: the
// core (plan, execute, session, report, undo, pace) speaks to targets only
// through internal/target, never to a concrete one.
package archtest
