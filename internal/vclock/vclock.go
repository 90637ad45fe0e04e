// Package vclock is the sandbox's virtual clock: the application's one
// clock, which the control plane moves forward on demand so that a test
// need not wait for a session to expire or a night to pass. Its offset from
// the clock underneath is kept in the database, so every process of one
// database reads the same time; each process re-reads it on a short
// interval (docs/decisions/0009-virtual-clock.md).
package vclock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// ErrBackwards is returned for a move that would take the clock back.
var ErrBackwards = errors.New("vclock: the clock never goes backwards")

// DefaultInterval is how often a process re-reads the offset that another
// process may have moved.
const DefaultInterval = 200 * time.Millisecond

// Store is what the clock needs of the database.
type Store interface {
	ClockOffset(ctx context.Context) (offset time.Duration, set bool, err error)
	MoveClock(ctx context.Context, from, to time.Duration, wallNow time.Time) error
	StartClock(ctx context.Context, offset time.Duration) (bool, error)
}

// Config holds what a Clock is built from.
type Config struct {
	Store Store
	// Base is the clock the offset is added to; time.Now when nil. Tests
	// give a clock of their own.
	Base func() time.Time
	// Interval is how often Start's loop re-reads the offset;
	// DefaultInterval when zero.
	Interval time.Duration
	// OnMove is called after each move this process makes, with the
	// virtual times before and after it: what a jump must do besides
	// moving the clock (plan the night's refresh it crossed). Its error
	// is the move's, though the move stays made.
	OnMove func(ctx context.Context, from, to time.Time) error
	Logger *slog.Logger
}

// Clock is the virtual clock. Now is safe for concurrent use and reads no
// database: it adds the last offset read to the base clock.
type Clock struct {
	store    Store
	base     func() time.Time
	interval time.Duration
	onMove   func(ctx context.Context, from, to time.Time) error
	log      *slog.Logger
	offset   atomic.Int64 // nanoseconds

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// New returns a clock at offset zero; Load reads the stored one.
func New(cfg Config) *Clock {
	c := &Clock{store: cfg.Store, base: cfg.Base, interval: cfg.Interval, onMove: cfg.OnMove, log: cfg.Logger}
	if c.base == nil {
		c.base = time.Now
	}
	if c.interval <= 0 {
		c.interval = DefaultInterval
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Now returns the virtual time: the base clock plus the offset.
func (c *Clock) Now() time.Time { return c.base().Add(c.Offset()) }

// Offset returns how far ahead of the base clock the virtual one is, as
// this process last read it.
func (c *Clock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// observe takes an offset read or written: the clock never goes back, so an
// older read that lands after a newer write is ignored.
func (c *Clock) observe(off time.Duration) {
	for {
		cur := c.offset.Load()
		if int64(off) <= cur || c.offset.CompareAndSwap(cur, int64(off)) {
			return
		}
	}
}

// Load reads the stored offset.
func (c *Clock) Load(ctx context.Context) error {
	off, _, err := c.store.ClockOffset(ctx)
	if err != nil {
		return fmt.Errorf("vclock: read the clock: %w", err)
	}
	// Set, not observe: at start, the stored offset may be behind zero
	// (--clock-start in the past).
	c.offset.Store(int64(off))
	return nil
}

// StartAt starts the clock at t if it was never set on this database, and
// reports whether it did; otherwise the stored clock stands. Either way the
// clock then reads the stored offset.
func (c *Clock) StartAt(ctx context.Context, t time.Time) (bool, error) {
	started, err := c.store.StartClock(ctx, t.Sub(c.base()))
	if err != nil {
		return false, fmt.Errorf("vclock: start the clock: %w", err)
	}
	return started, c.Load(ctx)
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("%w: advance by %v", ErrBackwards, d)
	}
	return c.move(ctx, func(cur time.Duration) (time.Duration, error) { return cur + d, nil })
}

// Set moves the clock to t, which must not be before the clock's time.
func (c *Clock) Set(ctx context.Context, t time.Time) (time.Time, error) {
	return c.move(ctx, func(cur time.Duration) (time.Duration, error) {
		to := t.Sub(c.base())
		if to < cur {
			return 0, fmt.Errorf("%w: %s is before the clock's time, %s", ErrBackwards,
				t.UTC().Format(time.RFC3339Nano), c.base().Add(cur).UTC().Format(time.RFC3339Nano))
		}
		return to, nil
	})
}

// move reads the stored offset, computes the new one, and swaps it in if
// no other process moved the clock meanwhile (otherwise it reads again).
func (c *Clock) move(ctx context.Context, next func(cur time.Duration) (time.Duration, error)) (time.Time, error) {
	var from, to time.Duration
	err := store.RetryConflict(func() error {
		var err error
		if from, _, err = c.store.ClockOffset(ctx); err != nil {
			return err
		}
		if to, err = next(from); err != nil {
			return err
		}
		// The wall clock, not the base: River's job times are the wall's.
		return c.store.MoveClock(ctx, from, to, time.Now())
	})
	if err != nil {
		if errors.Is(err, ErrBackwards) {
			return time.Time{}, err
		}
		return time.Time{}, fmt.Errorf("vclock: move the clock: %w", err)
	}
	c.observe(to)
	base := c.base()
	before, after := base.Add(from), base.Add(to)
	if c.onMove != nil && to > from {
		if err := c.onMove(ctx, before, after); err != nil {
			return after, err
		}
	}
	c.log.Info("clock moved", "from", before.UTC().Format(time.RFC3339), "to", after.UTC().Format(time.RFC3339))
	return after, nil
}

// Start re-reads the offset every interval, until Stop: another process may
// have moved the clock. A failed read keeps the last offset, and is logged.
func (c *Clock) Start() {
	c.stop, c.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.done)
		t := time.NewTicker(c.interval)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			off, _, err := c.store.ClockOffset(ctx)
			cancel()
			if err != nil {
				c.log.Warn("read the virtual clock", "err", err)
				continue
			}
			c.observe(off)
		}
	}()
}

// Stop ends Start's loop and waits for it. It may be called more than once,
// and without Start.
func (c *Clock) Stop() {
	c.stopOnce.Do(func() {
		if c.stop != nil {
			close(c.stop)
			<-c.done
		}
	})
}
