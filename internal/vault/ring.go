package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrUnknownKey is returned (wrapped in ErrOpen) when a value was sealed
// under a key the ring does not hold.
var ErrUnknownKey = errors.New("vault: sealed under a key the ring does not hold")

// KeyIDOf returns the id of the key a value was sealed with, read from its
// header; false when the value is not in the vault's format.
func KeyIDOf(sealed []byte) (uint32, bool) {
	if len(sealed) < headerSize || sealed[0] != formatV1 {
		return 0, false
	}
	return binary.BigEndian.Uint32(sealed[1:headerSize]), true
}

// HeaderSize is the length of the header that names a sealed value's key.
const HeaderSize = headerSize

// A Ring holds the master keys: the primary seals, every key opens what it
// sealed. A rotation makes a new key primary while the old ones still open
// the values not yet resealed, then drops them.
//
// When built with a source, the ring reads its keys again when a value
// names a key it does not hold, and at most every refresh interval before
// sealing, so that every process of a deployment follows a key file that
// `bankfeed keys rotate` rewrites, without a restart. It is safe for
// concurrent use.
type Ring struct {
	keys   atomic.Pointer[keySet]
	source func() ([][]byte, error)
	every  time.Duration
	now    func() time.Time

	mu      sync.Mutex // serializes reloads
	checked atomic.Int64
}

type keySet struct {
	primary *Vault
	byID    map[uint32]*Vault
}

// RefreshInterval is how often a ring with a source reads its keys again
// before sealing.
const RefreshInterval = 2 * time.Second

// NewRing returns a ring over keys, the first primary. source, when not
// nil, reads the keys again (a key file); its first key becomes primary.
func NewRing(keys [][]byte, source func() ([][]byte, error)) (*Ring, error) {
	r := &Ring{source: source, every: RefreshInterval, now: time.Now}
	set, err := newKeySet(keys)
	if err != nil {
		return nil, err
	}
	r.keys.Store(set)
	r.checked.Store(r.now().UnixNano())
	return r, nil
}

func newKeySet(keys [][]byte) (*keySet, error) {
	if len(keys) == 0 {
		return nil, errors.New("vault: no master key")
	}
	set := &keySet{byID: make(map[uint32]*Vault, len(keys))}
	for _, k := range keys {
		v, err := New(k)
		if err != nil {
			return nil, err
		}
		if set.primary == nil {
			set.primary = v
		}
		set.byID[v.id] = v
	}
	return set, nil
}

// PrimaryID is the id of the key that seals.
func (r *Ring) PrimaryID() uint32 { return r.keys.Load().primary.id }

// Holds reports whether the ring holds the key with the given id.
func (r *Ring) Holds(id uint32) bool {
	_, ok := r.keys.Load().byID[id]
	return ok
}

// IDs lists the ids of the ring's keys, the primary first.
func (r *Ring) IDs() []uint32 {
	set := r.keys.Load()
	ids := []uint32{set.primary.id}
	for id := range set.byID {
		if id != set.primary.id {
			ids = append(ids, id)
		}
	}
	return ids
}

// Reload reads the keys from the source again. A ring without a source,
// or a source that fails, keeps its keys; the error says why.
func (r *Ring) Reload() error {
	if r.source == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checked.Store(r.now().UnixNano())
	keys, err := r.source()
	if err != nil {
		return err
	}
	set, err := newKeySet(keys)
	if err != nil {
		return err
	}
	r.keys.Store(set)
	return nil
}

// Seal seals plaintext for the row named by aad under the primary key.
func (r *Ring) Seal(plaintext []byte, aad string) ([]byte, error) {
	if r.source != nil && r.now().UnixNano()-r.checked.Load() > int64(r.every) {
		// A failed read keeps the keys in hand: the file may be mid-rename,
		// and the next seal tries again.
		_ = r.Reload()
	}
	return r.keys.Load().primary.Seal(plaintext, aad)
}

// Open opens a value sealed under any key of the ring. A value naming a key
// the ring lacks makes it read its source again, once.
func (r *Ring) Open(sealed []byte, aad string) ([]byte, error) {
	id, ok := KeyIDOf(sealed)
	if !ok {
		return nil, ErrOpen
	}
	v, ok := r.keys.Load().byID[id]
	if !ok && r.source != nil {
		if err := r.Reload(); err == nil {
			v, ok = r.keys.Load().byID[id]
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: %w: key %08x", ErrOpen, ErrUnknownKey, id)
	}
	return v.Open(sealed, aad)
}

// NewDataKey makes a new data key and returns it with its wrapped form:
// sealed under the ring's primary key for the row named by aad, to be
// stored beside what it seals.
func (r *Ring) NewDataKey(aad string) (*Vault, []byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, nil, err
	}
	v, err := New(key)
	if err != nil {
		return nil, nil, err
	}
	wrapped, err := r.Seal(key, aad)
	clear(key)
	if err != nil {
		return nil, nil, err
	}
	return v, wrapped, nil
}

// OpenDataKey unwraps a data key made by NewDataKey.
func (r *Ring) OpenDataKey(wrapped []byte, aad string) (*Vault, error) {
	key, err := r.Open(wrapped, aad)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	return New(key)
}

// ParseKeys reads a key ring as written in a key file or in
// BANKFEED_MASTER_KEY: hex keys separated by new lines or commas, the first
// primary; blank lines and lines starting with # are ignored.
func ParseKeys(text string) ([][]byte, error) {
	var keys [][]byte
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, field := range strings.Split(line, ",") {
			field = strings.TrimSpace(field)
			if field == "" {
				continue
			}
			key, err := hex.DecodeString(field)
			if err != nil || len(key) != KeySize {
				return nil, fmt.Errorf("a key is not a %d-byte hex key", KeySize)
			}
			if !seen[string(key)] {
				seen[string(key)] = true
				keys = append(keys, key)
			}
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no %d-byte hex key", KeySize)
	}
	return keys, nil
}

// ReadKeyFile reads the key ring of a key file.
func ReadKeyFile(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys, err := ParseKeys(string(data))
	if err != nil {
		return nil, fmt.Errorf("vault: %s: %v: it must hold %d-byte hex keys, one per line, the primary first", path, err, KeySize)
	}
	return keys, nil
}

// WriteKeyFile replaces the key file at path with keys, the first primary,
// atomically: a reader sees the old ring or the new one, never a mix, and
// a crash leaves one of the two.
func WriteKeyFile(path string, keys [][]byte) error {
	var b bytes.Buffer
	b.WriteString("# bankfeed master keys: the first seals, all open. Keep this file secret.\n")
	for _, k := range keys {
		b.WriteString(hex.EncodeToString(k) + "\n")
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".master-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is durable only once the directory is.
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// NewKey returns a new random master key.
func NewKey() ([]byte, error) {
	key := make([]byte, KeySize)
	_, err := rand.Read(key)
	return key, err
}
