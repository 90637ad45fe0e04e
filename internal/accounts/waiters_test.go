package accounts

import "testing"

// TestWaitersWakeTheirLogin checks that the end of a login's fetch wakes
// the calls waiting for that login only, and that the waiters leave
// nothing behind once they stop listening.
func TestWaitersWakeTheirLogin(t *testing.T) {
	var w waiters
	a, b := loginKey{"cust", "a"}, loginKey{"cust", "b"}
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	a1, stopA1 := w.listen(a)
	a2, stopA2 := w.listen(a)
	b1, stopB1 := w.listen(b)
	w.wake(a)
	if !closed(a1) || !closed(a2) {
		t.Error("the end of a's fetch did not wake a's waiters")
	}
	if closed(b1) {
		t.Error("the end of a's fetch woke b's waiter")
	}
	// A waiter listening again after the wake waits for the next fetch.
	a3, stopA3 := w.listen(a)
	if closed(a3) {
		t.Error("a new listener of a is woken by the fetch that ended before it listened")
	}
	stopA1()
	stopA2()
	w.wake(b)
	if !closed(b1) {
		t.Error("the end of b's fetch did not wake b's waiter")
	}
	stopB1()
	if len(w.m) != 1 {
		t.Errorf("%d logins listened for, want 1 (a's new listener)", len(w.m))
	}
	stopA3()
	if len(w.m) != 0 {
		t.Errorf("%d logins still listened for after every waiter stopped", len(w.m))
	}
	w.wake(a) // no waiter: nothing to do
}
