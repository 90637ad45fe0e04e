// Package rotation reseals bankfeed's secrets under a new master key while
// servers keep running: it rewraps every login's data key and reseals every
// value sealed under the master key directly, row by row, each swap a
// compare-and-swap that never disturbs a conversation in flight.
package rotation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/vault"
)

// Rotation reseals the values of one store.
type Rotation struct {
	Store store.Store
	// Batch is the number of values read per page; 500 when zero.
	Batch int
	// Pause is slept between pages, to spare a busy database.
	Pause time.Duration
	// Progress receives a line per page and per step; io.Discard when nil.
	Progress io.Writer
	// Settle is how long running servers take to read a rewritten key
	// file: twice their refresh interval and a margin, when zero.
	Settle time.Duration
}

// maxPasses bounds the passes of Reseal: each pass reseals what the
// previous one found changed under it, and servers seal new values under
// the primary key, so a pass finds less than the one before.
const maxPasses = 10

// kinds are the sealed columns, with the identity each value is sealed for.
var kinds = []struct {
	kind store.SealedKind
	aad  func(customerID, id string) string
}{
	{store.SealedLoginKey, secrets.DataKeyAAD},
	{store.SealedLogin, secrets.LoginAAD},
	{store.SealedSession, secrets.SessionAAD},
	{store.SealedWebhook, secrets.WebhookAAD},
}

// Reseal seals again, under ring's primary key, every value sealed under
// another of its keys, and returns once a pass finds none left.
func (r *Rotation) Reseal(ctx context.Context, ring *vault.Ring) error {
	primary := ring.PrimaryID()
	for pass := 1; pass <= maxPasses; pass++ {
		var resealed, changed, unreadable int
		for _, k := range kinds {
			n, c, u, err := r.resealKind(ctx, ring, primary, k.kind, k.aad)
			if err != nil {
				return err
			}
			resealed, changed, unreadable = resealed+n, changed+c, unreadable+u
		}
		r.printf("pass %d: %d resealed under %08x, %d changed meanwhile, %d unreadable\n",
			pass, resealed, primary, changed, unreadable)
		if unreadable > 0 {
			return fmt.Errorf("rotation: %d values could not be opened with the key ring: they are sealed under a key it lacks, or damaged; "+
				"the old keys are kept", unreadable)
		}
		if resealed == 0 && changed == 0 {
			return nil
		}
	}
	return fmt.Errorf("rotation: values were still changing after %d passes; run it again", maxPasses)
}

// resealKind walks one sealed column.
func (r *Rotation) resealKind(ctx context.Context, ring *vault.Ring, primary uint32, kind store.SealedKind,
	aad func(string, string) string) (resealed, changed, unreadable int, err error) {
	batch := r.Batch
	if batch <= 0 {
		batch = 500
	}
	after := ""
	for {
		values, err := r.Store.SealedValues(ctx, kind, after, batch)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("rotation: read %s values: %w", kind, err)
		}
		if len(values) == 0 {
			return resealed, changed, unreadable, nil
		}
		page := 0
		for _, v := range values {
			after = v.ID
			if id, ok := vault.KeyIDOf(v.Value); ok && id == primary {
				continue
			}
			ok, err := r.resealOne(ctx, ring, kind, v, aad(v.CustomerID, v.ID))
			switch {
			case errors.Is(err, vault.ErrOpen):
				unreadable++
				r.printf("%s %s: %v\n", kind, v.ID, err)
			case err != nil:
				return 0, 0, 0, err
			case ok:
				resealed++
				page++
			default:
				changed++
			}
		}
		if page > 0 {
			r.printf("%s: resealed %d (through %s)\n", kind, page, after)
		}
		if r.Pause > 0 {
			select {
			case <-ctx.Done():
				return 0, 0, 0, ctx.Err()
			case <-time.After(r.Pause):
			}
		}
	}
}

// resealOne reseals one value, if its row still holds it.
func (r *Rotation) resealOne(ctx context.Context, ring *vault.Ring, kind store.SealedKind, v store.SealedValue, aad string) (bool, error) {
	plain, err := ring.Open(v.Value, aad)
	if err != nil {
		return false, err
	}
	sealed, err := ring.Seal(plain, aad)
	clear(plain)
	if err != nil {
		return false, err
	}
	ok, err := r.Store.ReplaceSealed(ctx, kind, v.CustomerID, v.ID, v.Value, sealed)
	if err != nil {
		return false, fmt.Errorf("rotation: reseal %s %s: %w", kind, v.ID, err)
	}
	return ok, nil
}

// RotateFile rotates the master key of the key file at path: a new key at
// the top of the file, every value resealed under it, then the old keys
// removed. A file that already holds several keys is an interrupted
// rotation to its first key, which RotateFile finishes without making
// another.
func (r *Rotation) RotateFile(ctx context.Context, path string) error {
	keys, err := vault.ReadKeyFile(path)
	if err != nil {
		return err
	}
	if len(keys) == 1 {
		key, err := vault.NewKey()
		if err != nil {
			return err
		}
		keys = append([][]byte{key}, keys...)
		if err := vault.WriteKeyFile(path, keys); err != nil {
			return fmt.Errorf("rotation: write %s: %w", path, err)
		}
		r.printf("new master key %08x added at the top of %s; the old key %08x opens what is not yet resealed\n",
			vault.KeyID(keys[0]), path, vault.KeyID(keys[1]))
	} else {
		r.printf("%s holds %d keys: finishing the rotation to its first, %08x\n", path, len(keys), vault.KeyID(keys[0]))
	}
	ring, err := vault.NewRing(keys, nil)
	if err != nil {
		return err
	}
	r.printf("waiting %s for running servers to seal with %08x\n", r.settle(), ring.PrimaryID())
	if err := sleep(ctx, r.settle()); err != nil {
		return err
	}
	if err := r.Reseal(ctx, ring); err != nil {
		return err
	}
	if err := vault.WriteKeyFile(path, keys[:1]); err != nil {
		return fmt.Errorf("rotation: write %s: %w", path, err)
	}
	r.printf("old keys removed from %s; checking, after %s, that no server sealed under them meanwhile\n", path, r.settle())
	if err := sleep(ctx, r.settle()); err != nil {
		return err
	}
	// The old keys are still in this ring: a value a slow server sealed
	// under one of them is resealed now rather than lost.
	if err := r.Reseal(ctx, ring); err != nil {
		return err
	}
	r.printf("rotation done: everything is sealed under %08x\n", ring.PrimaryID())
	return nil
}

func (r *Rotation) settle() time.Duration {
	if r.Settle > 0 {
		return r.Settle
	}
	return 2*vault.RefreshInterval + time.Second
}

func (r *Rotation) printf(format string, args ...any) {
	if r.Progress != nil {
		fmt.Fprintf(r.Progress, format, args...)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
