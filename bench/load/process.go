package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a server the harness started: bankfeed or the baseline. The
// harness reads its memory from /proc, which is why it must be a process
// of its own and not a goroutine of the harness.
type process struct {
	name    string
	cmd     *exec.Cmd
	url     string // scheme and host of its API
	pprof   string // scheme and host of its --pprof listener, if any
	metrics string // scheme and host of its --metrics-addr listener, if any
	logPath string
	exited  chan struct{}
	waitErr error
}

// buildBankfeed compiles ./cmd/bankfeed into dir and returns the binary.
func buildBankfeed(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "bankfeed")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/bankfeed/bankfeed/cmd/bankfeed").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/bankfeed: %v\n%s", err, out)
	}
	return bin, nil
}

// startProcess runs bin with args and env (added to the harness's), its
// output in logPath, and waits until its log says it listens, at the
// address it gives (servers are started on port 0); ready is the message
// of that line. It then checks /healthz.
func startProcess(ctx context.Context, name, bin string, args, env []string, logPath, ready string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := p.awaitReady(ctx, ready); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// addrAttr is the addr attribute of a log line of slog's text handler.
var addrAttr = regexp.MustCompile(`\baddr=(http://[^\s/]+)`)

func (p *process) awaitReady(ctx context.Context, ready string) error {
	deadline := time.Now().Add(time.Minute)
	for p.url == "" {
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before listening (%v):\n%s", p.name, p.waitErr, p.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is not listening after a minute:\n%s", p.name, p.logTail())
		}
		f, err := os.Open(p.logPath)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			m := addrAttr.FindStringSubmatch(line)
			switch {
			case m == nil:
			case strings.Contains(line, `msg="pprof listening`):
				p.pprof = m[1]
			case strings.Contains(line, `msg="metrics listening"`):
				p.metrics = m[1]
			case strings.Contains(line, `msg="`+ready+`"`):
				p.url = m[1]
			}
		}
		f.Close()
	}
	res, err := http.Get(p.url + "/healthz")
	if err != nil {
		return fmt.Errorf("%s /healthz: %w", p.name, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s /healthz: HTTP %d", p.name, res.StatusCode)
	}
	return nil
}

// stop sends SIGTERM, as an operator would, and waits for the process to
// finish; it kills it after 40 seconds (bankfeed allows requests in flight
// 30 seconds).
func (p *process) stop() error {
	select {
	case <-p.exited:
		return p.waitErr
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.waitErr
	case <-time.After(40 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not stop within 40s of SIGTERM; killed", p.name)
	}
}

// logTail returns the end of the process's log, for error messages.
func (p *process) logTail() string {
	data, _ := os.ReadFile(p.logPath)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}

// memory is the resident memory of a process, from /proc/<pid>/status.
type memory struct {
	rss  int64 // VmRSS: now
	peak int64 // VmHWM: the peak since start, or since resetPeak
}

func (p *process) memory() (memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for line := range strings.Lines(string(data)) {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch key {
		case "VmRSS":
			dst = &m.rss
		case "VmHWM":
			dst = &m.peak
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("/proc status %s: %w", key, err)
		}
		*dst = kb << 10
	}
	if m.rss == 0 || m.peak == 0 {
		return memory{}, errors.New("/proc status has no VmRSS or VmHWM")
	}
	return m, nil
}

// resetPeak starts the peak (VmHWM) over from the current RSS, so that a
// workload's peak is its own and not the largest of the runs before it
// (Linux: "5" in /proc/<pid>/clear_refs).
func (p *process) resetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0)
}

// scrape fetches base's /metrics every interval, reading each answer
// whole, as a Prometheus server would, until the function it returns is
// called; that function returns how many scrapes were made and how many
// failed.
func scrape(base string, interval time.Duration) (stop func() (n, failed int)) {
	done := make(chan struct{})
	var n, failed int
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		client := &http.Client{Timeout: 10 * time.Second}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			n++
			res, err := client.Get(base + "/metrics")
			if err != nil {
				failed++
				continue
			}
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK {
				failed++
			}
		}
	}()
	return func() (int, int) {
		close(done)
		<-finished
		return n, failed
	}
}
