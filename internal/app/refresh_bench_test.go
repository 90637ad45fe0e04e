package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// BenchmarkScheduledRefresh refreshes BANKFEED_BENCH_LOGINS (10,000 by
// default) saved sandbox logins through the real job path, on SQLite and on
// PostgreSQL: a pass planned by a plan job, one River job per login, each
// an unattended login answering its stored question, a fetch of a year of
// transactions and the snapshot written back. Each login belongs to a
// customer of its own (a customer saves one login per username), all
// FlinksCapital's Greatday, whose question is answered from storage.
//
// A first pass, untimed, replaces the snapshots the logins' own fetches
// would have written; the timed pass then does what a nightly pass does.
// It reports logins/s and the database's size per login afterwards (River's
// finished jobs of the day included):
//
//	go test ./internal/app -run '^$' -bench ScheduledRefresh -benchtime 1x -timeout 30m
func BenchmarkScheduledRefresh(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("BANKFEED_BENCH_LOGINS")); err == nil && v > 0 {
		n = v
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			cfg := storeConfig{dataDir: b.TempDir(), sandbox: true}
			if kind == "postgres" {
				cfg.databaseURL = pgtest.NewDatabase(b)
			}
			benchRefresh(b, cfg, n)
		})
	}
}

func benchRefresh(b *testing.B, cfg storeConfig, n int) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	stk, err := build(ctx, buildConfig{storeConfig: cfg, refreshWorkers: benchWorkers()}, log, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer stk.close(context.Background())
	st := stk.store.(benchDB)
	svc := stk.authorize

	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				if err := saveBenchLogin(ctx, svc, fmt.Sprintf("bench-%06d", i)); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	// The live logins' fetches are not what is measured.
	if err := st.exec(ctx, `DELETE FROM river_job WHERE kind = 'fetch'`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d logins saved in %v", st.kind(), n, time.Since(start).Round(time.Second))

	if err := stk.startJobs(ctx); err != nil {
		b.Fatal(err)
	}
	runner := stk.jobs
	warm := time.Now()
	if plan, err := runner.RunPass(ctx, 0); err != nil || plan.Planned != n {
		b.Fatalf("first pass: %+v, %v; want %d planned", plan, err, n)
	}
	b.Logf("%s: first pass in %v", st.kind(), time.Since(warm).Round(time.Millisecond))

	b.ResetTimer()
	for range b.N {
		plan, err := runner.RunPass(ctx, 0)
		if err != nil || plan.Planned != n {
			b.Fatalf("pass: %+v, %v; want %d planned", plan, err, n)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "logins/s")
	size, err := st.size(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(size)/float64(n), "dbbytes/login")
}

// saveBenchLogin saves FlinksCapital's Greatday for customerID with
// scheduled refresh on, answering its question, as a person would once.
func saveBenchLogin(ctx context.Context, svc *authorize.Service, customerID string) error {
	resp, err := svc.Authorize(ctx, customerID, &flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday",
		Password: "Everyday", Save: true, ScheduleRefresh: true})
	if err != nil {
		return err
	}
	if resp.Authorized() {
		return fmt.Errorf("Greatday was authorized at once, want a question")
	}
	resp, err = svc.Authorize(ctx, customerID, &flinks.AuthorizeRequest{RequestId: resp.RequestID,
		SecurityResponses: flinks.SecurityResponses{resp.Challenges[0].Prompt: {"Triangle"}}})
	if err != nil {
		return err
	}
	if !resp.Authorized() {
		return fmt.Errorf("the answer got another round")
	}
	return nil
}

// benchDB is a database with what the benchmark needs besides.
type benchDB interface {
	database
	exec(ctx context.Context, query string) error
	size(ctx context.Context, cfg storeConfig) (int64, error)
}

// exec runs a statement on the database, for the benchmark's setup.
func (d sqliteDB) exec(ctx context.Context, query string) error {
	_, err := d.WriteDB().ExecContext(ctx, query)
	return err
}

func (d postgresDB) exec(ctx context.Context, query string) error {
	_, err := d.Pool().Exec(ctx, query)
	return err
}

// size is the database's size on disk: the file and its write-ahead log,
// checkpointed first.
func (d sqliteDB) size(ctx context.Context, cfg storeConfig) (int64, error) {
	if _, err := d.WriteDB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, err
	}
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		fi, err := os.Stat(filepath.Join(cfg.dataDir, "bankfeed.db"+suffix))
		if err == nil {
			total += fi.Size()
		}
	}
	return total, nil
}

func (d postgresDB) size(ctx context.Context, _ storeConfig) (int64, error) {
	var size int64
	err := d.Pool().QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&size)
	return size, err
}

// benchWorkers is BANKFEED_BENCH_WORKERS, the refresh workers of the
// benchmark; the server's default when unset.
func benchWorkers() int {
	if v, err := strconv.Atoi(os.Getenv("BANKFEED_BENCH_WORKERS")); err == nil && v > 0 {
		return v
	}
	return jobs.DefaultRefreshWorkers
}
