package app

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// buildInfo is what bankfeed knows of the build it runs: the version of its
// module, the commit it was built from when the go command recorded one,
// and the Go release it was compiled with.
type buildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
}

// readBuildInfo reads the build information the go command embeds in the
// binary. `go install ...@v1.2.3` records the module version;
// a build in a checkout records "(devel)" and, unless -buildvcs=false,
// the commit and whether the tree had uncommitted changes.
func readBuildInfo() buildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return buildInfo{Version: "unknown", GoVersion: "unknown"}
	}
	b := buildInfo{Version: info.Main.Version, GoVersion: info.GoVersion}
	if b.Version == "" {
		// A test binary has no main module version.
		b.Version = "(devel)"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the version as the log and `bankfeed version` show it: the
// module version, then the first 12 digits of the revision, marked when
// the tree was modified.
func (b buildInfo) String() string {
	v := b.Version
	if b.Revision != "" {
		rev := b.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if b.Modified {
			rev += "+modified"
		}
		v += " (" + rev + ")"
	}
	return v
}

// Version is the module version and VCS revision bankfeed was built from.
func Version() string { return readBuildInfo().String() }

// versionCommand runs `bankfeed version [--json]`.
func versionCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bankfeed version", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the version, the full revision and the Go release as JSON")
	rest, err := parseFlags(fs, args, stderr)
	if err == flag.ErrHelp {
		return nil
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: bankfeed version takes no argument", ErrUsage)
	}
	b := readBuildInfo()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(b)
	}
	_, err = fmt.Fprintf(stdout, "bankfeed %s %s\n", b, b.GoVersion)
	return err
}
