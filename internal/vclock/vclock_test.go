package vclock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// memStore keeps the offset as a database would, with the compare-and-swap
// of store.SandboxQueries.
type memStore struct {
	mu     sync.Mutex
	offset time.Duration
	set    bool
	moves  int
}

func (m *memStore) ClockOffset(context.Context) (time.Duration, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.offset, m.set, nil
}

func (m *memStore) MoveClock(_ context.Context, from, to time.Duration, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.offset != from {
		return store.ErrConflict
	}
	m.offset, m.set = to, true
	m.moves++
	return nil
}

func (m *memStore) StartClock(_ context.Context, offset time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.set {
		return false, nil
	}
	m.offset, m.set = offset, true
	return true, nil
}

var base = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func fixed() time.Time { return base }

func TestAdvanceAndSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var moved [][2]time.Time
	c := New(Config{Store: &memStore{}, Base: fixed, OnMove: func(_ context.Context, from, to time.Time) error {
		moved = append(moved, [2]time.Time{from, to})
		return nil
	}})
	if now, err := c.Advance(ctx, 72*time.Hour); err != nil || !now.Equal(base.Add(72*time.Hour)) || !c.Now().Equal(now) {
		t.Fatalf("Advance(72h): %v, %v; Now %v", now, err, c.Now())
	}
	to := time.Date(2027, 1, 15, 4, 0, 0, 0, time.UTC)
	if now, err := c.Set(ctx, to); err != nil || !now.Equal(to) || c.Offset() != to.Sub(base) {
		t.Fatalf("Set: %v, %v; offset %v", now, err, c.Offset())
	}
	if _, err := c.Set(ctx, to.Add(-time.Microsecond)); !errors.Is(err, ErrBackwards) {
		t.Errorf("Set a microsecond back: %v, want ErrBackwards", err)
	}
	if _, err := c.Advance(ctx, -time.Nanosecond); !errors.Is(err, ErrBackwards) {
		t.Errorf("Advance(-1ns): %v, want ErrBackwards", err)
	}
	// A move of zero is no move: nothing to plan.
	if _, err := c.Advance(ctx, 0); err != nil {
		t.Fatal(err)
	}
	want := [][2]time.Time{{base, base.Add(72 * time.Hour)}, {base.Add(72 * time.Hour), to}}
	if len(moved) != len(want) || moved[0] != want[0] || moved[1] != want[1] {
		t.Errorf("OnMove saw %v, want %v", moved, want)
	}
}

// TestConcurrentAdvances: advances of two processes at once all count.
func TestConcurrentAdvances(t *testing.T) {
	t.Parallel()
	st := &memStore{}
	a, b := New(Config{Store: st, Base: fixed}), New(Config{Store: st, Base: fixed})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		c := a
		if i%2 == 1 {
			c = b
		}
		wg.Go(func() {
			_, err := c.Advance(context.Background(), time.Minute)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		// Three lost swaps in a row give up with ErrConflict: allowed, but
		// then the advance did not count.
		if err != nil {
			if !errors.Is(err, store.ErrConflict) {
				t.Fatal(err)
			}
			failed++
		}
	}
	if got, want := st.offset, time.Duration(40-failed)*time.Minute; got != want {
		t.Errorf("offset after %d successful advances: %v, want %v", 40-failed, got, want)
	}
}

// TestFollowsOtherProcess: Start's loop picks up a move made elsewhere, and
// an older read never takes the clock back.
func TestFollowsOtherProcess(t *testing.T) {
	t.Parallel()
	st := &memStore{}
	a := New(Config{Store: st, Base: fixed, Interval: 5 * time.Millisecond})
	b := New(Config{Store: st, Base: fixed})
	a.Start()
	defer a.Stop()
	if _, err := b.Advance(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.Offset() != time.Hour {
		if time.Now().After(deadline) {
			t.Fatalf("a's offset %v 5s after b advanced, want 1h", a.Offset())
		}
		time.Sleep(time.Millisecond)
	}
	a.observe(time.Minute)
	if a.Offset() != time.Hour {
		t.Errorf("offset after reading an older value: %v, want 1h", a.Offset())
	}
	a.Stop()
	a.Stop() // twice is fine
}

func TestStartAt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := &memStore{}
	c := New(Config{Store: st, Base: fixed})
	past := base.AddDate(-1, 0, 0)
	if started, err := c.StartAt(ctx, past); err != nil || !started || !c.Now().Equal(past) {
		t.Fatalf("StartAt a year back: %v, %v; Now %v", started, err, c.Now())
	}
	other := New(Config{Store: st, Base: fixed})
	if started, err := other.StartAt(ctx, base.AddDate(1, 0, 0)); err != nil || started || !other.Now().Equal(past) {
		t.Errorf("second StartAt: %v, %v; Now %v, want the first start %v", started, err, other.Now(), past)
	}
}
