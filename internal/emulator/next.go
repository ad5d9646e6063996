package emulator

// next counts the faults to come on the next calls (Server.ThrottleNext,
// FailNext, DropNext). It is guarded by Server.faultMu.
type next struct{ throttle, fail, drop int }

// ThrottleNext answers the next n calls, of either API, as throttled, with
// no effect. FailNext answers them with a 5xx, with no effect. DropNext
// commits the next n writes that succeed and drops their connections: the
// answers are lost. Each sets its count (0 ends it) and comes before the
// Rate, FailRate and DropRate draws, so that a test says exactly which
// call meets the fault.
func (s *Server) ThrottleNext(n int) { s.setNext(&s.next.throttle, n) }

// FailNext: see ThrottleNext.
func (s *Server) FailNext(n int) { s.setNext(&s.next.fail, n) }

// DropNext: see ThrottleNext.
func (s *Server) DropNext(n int) { s.setNext(&s.next.drop, n) }

func (s *Server) setNext(c *int, n int) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	*c = max(n, 0)
}

// take uses one fault of the count c, if any is left.
func (s *Server) take(c *int) bool {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if *c == 0 {
		return false
	}
	*c--
	return true
}
