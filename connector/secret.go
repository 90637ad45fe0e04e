package connector

import "log/slog"

// Secret is a string that must never be logged or shown: a password or an
// answer. Its printed and logged forms are redacted; convert it with
// string(s) where the real value is needed.
type Secret string

const redacted = "[redacted]"

// String implements fmt.Stringer with a redacted value.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer with a redacted value.
func (Secret) GoString() string { return redacted }

// LogValue implements slog.LogValuer with a redacted value.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText keeps a Secret out of encoded logs and JSON by accident.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
