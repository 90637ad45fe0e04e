package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/pgstore"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/bankfeed/bankfeed/internal/vault"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// database is an open store and what the composition root needs of its
// kind: how to run the jobs engine's workers on it.
type database interface {
	store.Store
	// Sandbox keeps the control surface's fault rules and journal.
	store.Sandbox
	// startJobs starts the job workers on the database.
	startJobs(ctx context.Context, cfg jobs.Config) (jobRunner, error)
	// kind names the database for the log: "sqlite" or "postgres".
	kind() string
}

// jobRunner is a jobs.Runner of either driver.
type jobRunner interface {
	RunPass(ctx context.Context, window time.Duration) (refresh.PassPlan, error)
	Running() bool
	Stop(ctx context.Context) error
}

// sqliteDB is SQLite in the data directory; the workers share the store's
// single write connection, and the store wakes them when it commits jobs,
// SQLite having no notifications to do it.
type sqliteDB struct{ *sqlitestore.Store }

func (d sqliteDB) startJobs(ctx context.Context, cfg jobs.Config) (jobRunner, error) {
	r, err := jobs.Start(ctx, riversqlite.New(d.WriteDB()), cfg)
	if err != nil {
		return nil, err
	}
	// A runner started again replaces the hook; a stopped one's Wake does
	// nothing.
	d.OnJobsCommitted(func(queues []string) { r.Wake(queues...) })
	return r, nil
}

func (sqliteDB) kind() string { return "sqlite" }

// postgresDB is a PostgreSQL database, which several processes may share;
// the workers use the store's pool, and River's notifications, sent at the
// commit of the jobs, wake them in every process: no Wake is needed.
type postgresDB struct{ *pgstore.Store }

func (d postgresDB) startJobs(ctx context.Context, cfg jobs.Config) (jobRunner, error) {
	return jobs.Start(ctx, riverpgxv5.New(d.Pool()), cfg)
}

func (postgresDB) kind() string { return "postgres" }

// openStore opens the database the configuration names, applying the
// migrations it lacks: PostgreSQL when --database is set, SQLite in the
// data directory otherwise. The data directory is made either way: it
// holds the sandbox's master key.
func openStore(ctx context.Context, cfg storeConfig) (database, error) {
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if cfg.databaseURL != "" {
		if !isPostgresURL(cfg.databaseURL) {
			return nil, fmt.Errorf("%w: --database must be a postgres:// or postgresql:// URL; leave it empty to use SQLite in --data", ErrUsage)
		}
		st, err := pgstore.Open(ctx, cfg.databaseURL, pgstore.Options{OpTimeout: cfg.dbTimeout})
		if err != nil {
			return nil, err
		}
		return postgresDB{st}, nil
	}
	st, err := sqlitestore.Open(ctx, filepath.Join(cfg.dataDir, "bankfeed.db"), sqlitestore.Options{OpTimeout: cfg.dbTimeout})
	if err != nil {
		return nil, err
	}
	return sqliteDB{st}, nil
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// keyRing is the master key ring and where it came from.
type keyRing struct {
	ring *vault.Ring
	// file is the key file the ring follows; empty for keys from the
	// environment.
	file string
	// source says where the keys came from, for messages.
	source string
}

// openKeyRing loads the master keys, in this order: --master-key-file,
// BANKFEED_MASTER_KEY, and in sandbox mode the data directory's master.key,
// created on first start. It refuses keys that do not open what the
// database holds, before anything is written: a server started with the
// wrong key must not mix values sealed under two unrelated keys.
func openKeyRing(ctx context.Context, cfg storeConfig, st store.Store, log *slog.Logger) (*keyRing, error) {
	prefixes, err := st.SealedPrefixes(ctx, vault.HeaderSize)
	if err != nil {
		return nil, fmt.Errorf("read the keys in use: %w", err)
	}
	var kr keyRing
	var keys [][]byte
	switch {
	case cfg.masterKeyFile != "":
		kr.file, kr.source = cfg.masterKeyFile, "--master-key-file "+cfg.masterKeyFile
		if keys, err = vault.ReadKeyFile(cfg.masterKeyFile); err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
	case cfg.masterKey != "":
		kr.source = "BANKFEED_MASTER_KEY"
		if keys, err = vault.ParseKeys(cfg.masterKey); err != nil {
			return nil, fmt.Errorf("master key: BANKFEED_MASTER_KEY: %v", err)
		}
	case cfg.sandbox:
		kr.file = filepath.Join(cfg.dataDir, "master.key")
		kr.source = "the data directory's master.key"
		if _, err := os.Stat(kr.file); errors.Is(err, fs.ErrNotExist) && len(prefixes) > 0 {
			return nil, fmt.Errorf("master key: %s is missing, but the database holds secrets sealed under a master key: "+
				"restore the key file, or start with --master-key-file", kr.file)
		}
		var created bool
		if keys, created, err = vault.LoadOrCreateKeyFile(kr.file); err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
		if created {
			log.Warn("SANDBOX MODE: generated a new master key in the data directory; anyone who can read it can read every sealed "+
				"credential. Outside the sandbox, keep the key apart from the data: --master-key-file or BANKFEED_MASTER_KEY.",
				"path", kr.file)
		}
	default:
		return nil, fmt.Errorf("%w: a master key is required outside sandbox mode: --master-key-file FILE or BANKFEED_MASTER_KEY "+
			"(bankfeed keys generate prints a new one)", ErrUsage)
	}
	var source func() ([][]byte, error)
	if kr.file != "" {
		file := kr.file
		source = func() ([][]byte, error) { return vault.ReadKeyFile(file) }
	}
	if kr.ring, err = vault.NewRing(keys, source); err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	var missing []string
	for _, p := range prefixes {
		id, ok := vault.KeyIDOf(p)
		if !ok {
			return nil, errors.New("master key: the database holds a sealed value in no format this bankfeed knows; is it a newer version's database?")
		}
		if !kr.ring.Holds(id) {
			missing = append(missing, fmt.Sprintf("%08x", id))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		var held []string
		for _, id := range kr.ring.IDs() {
			held = append(held, fmt.Sprintf("%08x", id))
		}
		return nil, fmt.Errorf("master key: the database holds secrets sealed under key %s, which %s lacks (it holds %s): "+
			"start with the master key this database was sealed with; nothing was changed",
			strings.Join(missing, ", "), kr.source, strings.Join(held, ", "))
	}
	return &kr, nil
}
