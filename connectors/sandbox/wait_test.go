package sandbox

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestWaitFollowsClock: a bank's delay ends when the server's clock passes
// it, before its real time; without a clock, or with one that stands
// still, it lasts its real time; a cancelled context ends it.
func TestWaitFollowsClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	var offset atomic.Int64
	clocked := (&Connector{}).WithClock(func() time.Time { return start.Add(time.Duration(offset.Load())) })
	done := make(chan error, 1)
	began := time.Now()
	go func() { done <- clocked.wait(context.Background(), start.Add(time.Hour), time.Hour) }()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the wait ended before the clock moved: %v", err)
	default:
	}
	offset.Store(int64(time.Hour))
	select {
	case err := <-done:
		if err != nil || time.Since(began) > 10*time.Second {
			t.Errorf("wait after the clock passed: %v after %v", err, time.Since(began))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not end within 10s of the clock passing its end")
	}

	began = time.Now()
	stopped := (&Connector{}).WithClock(func() time.Time { return start })
	if err := stopped.wait(context.Background(), start.Add(30*time.Millisecond), 30*time.Millisecond); err != nil ||
		time.Since(began) < 30*time.Millisecond {
		t.Errorf("wait on a stopped clock: %v after %v, want the real 30ms", err, time.Since(began))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (&Connector{}).wait(ctx, start.Add(time.Hour), time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("wait on a cancelled context: %v", err)
	}
}
