package pgstore

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/migration"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrated implements store.Store.
func (s *Store) Migrated(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	want, err := migration.Files(migrations)
	if err != nil {
		return err
	}
	rows, err := s.pool.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	have := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return classify(err)
		}
		have[v] = true
	}
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	for _, m := range want {
		if v := m.Version; !have[v] {
			return fmt.Errorf("pgstore: migration %d is not applied", v)
		}
	}
	migrator, err := s.validator.Get(func() (*rivermigrate.Migrator[pgx.Tx], error) {
		return rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	})
	if err != nil {
		return err
	}
	res, err := migrator.Validate(ctx, nil)
	if err != nil {
		return classify(err)
	}
	if !res.OK {
		return fmt.Errorf("pgstore: the jobs tables are not migrated: %v", res.Messages)
	}
	return nil
}

// Stats implements store.Store.
func (s *Store) Stats(ctx context.Context) (*store.Stats, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	st := &store.Stats{Sessions: map[string]int64{}}
	rows, err := s.pool.Query(ctx, `SELECT state, count(*) FROM sessions GROUP BY state`)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return nil, classify(err)
		}
		st.Sessions[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM logins WHERE saved`).Scan(&st.SavedLogins); err != nil {
		return nil, classify(err)
	}
	jobs, err := s.pool.Query(ctx, `
		SELECT kind, state, count(*),
		       CASE WHEN state = 'available' THEN greatest(0, extract(epoch FROM now() - min(scheduled_at)))::float8 ELSE 0 END
		FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running')
		GROUP BY kind, state`)
	if err != nil {
		return nil, classify(err)
	}
	defer jobs.Close()
	for jobs.Next() {
		var c store.JobCount
		var wait float64
		if err := jobs.Scan(&c.Kind, &c.State, &c.Count, &wait); err != nil {
			return nil, classify(err)
		}
		c.OldestWait = time.Duration(wait * float64(time.Second))
		st.Jobs = append(st.Jobs, c)
	}
	return st, classify(jobs.Err())
}
