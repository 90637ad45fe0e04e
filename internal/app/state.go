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

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/bankfeed/bankfeed/internal/vault"
)

// openStore opens the database the configuration names, applying the
// migrations it lacks.
func openStore(ctx context.Context, cfg storeConfig) (*sqlitestore.Store, error) {
	if cfg.databaseURL != "" {
		return nil, fmt.Errorf("%w: --database: PostgreSQL is not supported yet; leave it empty to use SQLite in --data", ErrUsage)
	}
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return sqlitestore.Open(ctx, filepath.Join(cfg.dataDir, "bankfeed.db"))
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
