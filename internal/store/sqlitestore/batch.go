package sqlitestore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/bankfeed/bankfeed/internal/store"
)

// maxBatch bounds how many sessions one transaction creates: enough to
// take every request of a busy moment, few enough that the transaction
// stays short.
const maxBatch = 128

// creates gathers the CreateSession calls of concurrent requests into
// shared transactions (group commit). SQLite has one writer: under load,
// requests queue for it anyway, and a transaction per session spends most
// of its time beginning and committing. A call returns only once its own
// transaction has committed, so an acknowledged session is as durable, and
// as visible to other processes, as before; a call whose insert fails gets
// that insert's error, and the others of its batch are unaffected (a
// failed INSERT aborts its statement, not the transaction).
//
// Batches form by themselves, without waiting: while one transaction
// commits, the calls that arrive queue, and the next transaction takes
// them all. A lone call is one transaction, as before.
type creates struct {
	store *Store
	queue chan *createCall

	// For the tests: transactions committed or tried, and calls waiting
	// for theirs.
	batches, waiting atomic.Int64

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

type createCall struct {
	sess *store.Session
	err  chan error // buffered: the writer never blocks on a caller gone
}

func newCreates(s *Store) *creates {
	c := &creates{store: s, queue: make(chan *createCall, maxBatch), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// errClosed answers a CreateSession after Close.
var errClosed = errors.New("sqlitestore: the store is closed")

// create queues one session and waits for its transaction. If ctx ends
// first, the call returns the context's error; the session may still be
// written, unacknowledged, as a request that timed out may be.
func (c *creates) create(ctx context.Context, sess *store.Session) error {
	ctx, cancel := bound(ctx, c.store.timeout)
	defer cancel()
	call := &createCall{sess: sess, err: make(chan error, 1)}
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	select {
	case c.queue <- call:
	case <-c.stop:
		return errClosed
	case <-ctx.Done():
		return classify(ctx.Err())
	}
	select {
	case err := <-call.err:
		return err
	case <-c.done:
		// Queued as the writer stopped: answered if it was taken.
		select {
		case err := <-call.err:
			return err
		default:
			return errClosed
		}
	case <-ctx.Done():
		return classify(ctx.Err())
	}
}

func (c *creates) run() {
	defer close(c.done)
	batch := make([]*createCall, 0, maxBatch)
	for {
		select {
		case call := <-c.queue:
			batch = append(batch[:0], call)
		case <-c.stop:
			// Calls queued before Close still get their answer.
			for {
				select {
				case call := <-c.queue:
					c.commit([]*createCall{call})
				default:
					return
				}
			}
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case call := <-c.queue:
				batch = append(batch, call)
			default:
				break drain
			}
		}
		c.commit(batch)
	}
}

// commit writes one batch in one transaction and answers each call. The
// transaction's context is the store's own, bounded by the operation
// timeout: one caller giving up must not fail the others.
func (c *creates) commit(batch []*createCall) {
	c.batches.Add(1)
	if len(batch) == 1 {
		// Alone, the statement commits by itself: a transaction around it
		// would only add its BEGIN and COMMIT.
		batch[0].err <- c.store.queries.CreateSession(context.Background(), batch[0].sess)
		return
	}
	errs := make([]error, len(batch))
	err := c.store.inTx(context.Background(), func(q queries) error {
		for i, call := range batch {
			errs[i] = q.CreateSession(context.Background(), call.sess)
			// A timeout or a lost lock fails the transaction, and so every
			// call of it; only a row's own refusal is that row's.
			if errs[i] != nil && !errors.Is(errs[i], store.ErrConflict) && !errors.Is(errs[i], store.ErrNotFound) {
				return errs[i]
			}
		}
		return nil
	})
	for i, call := range batch {
		if err != nil {
			call.err <- err
		} else {
			call.err <- errs[i]
		}
	}
}

// close stops taking calls and waits for those queued to be answered.
func (c *creates) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}
