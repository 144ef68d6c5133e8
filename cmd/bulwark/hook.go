package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/report"
)

// Hook deadlines. The client gives a hook seconds; bulwark answers in
// milliseconds, and when it cannot it blocks instead of letting the client's
// own timeout wave the call through.
// Variables so tests can shorten them.
var (
	readDeadline = 2 * time.Second        // reading the event from stdin
	evalDeadline = 750 * time.Millisecond // decoding, analysing, matching, logging
)

// deadlineScale is empty in every release build. scripts/latency builds a
// copy of bulwark with -ldflags "-X main.deadlineScale=100" to count a large
// event's instructions under valgrind (some 50x slower), where the deadlines
// would otherwise end the run half done; no flag or variable can set it.
var deadlineScale string

func init() {
	if n, err := strconv.Atoi(deadlineScale); deadlineScale != "" && err == nil && n > 1 {
		readDeadline *= time.Duration(n)
		evalDeadline *= time.Duration(n)
	}
}

func init() {
	register("hook", "answer one hook event from stdin (what the client runs)", cmdHook)
}

func cmdHook(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "profile: minimal, balanced or strict (default $BULWARK_PROFILE or balanced)")
	client := fs.String("client", "", "client protocol: claude, codex, cursor or gemini (default: detected from the input)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), joinLines(
			"usage: bulwark hook [--profile P] [--client C] < event.json",
			"",
			"Reads one hook event as JSON on stdin and answers in the client's protocol.",
			"When it cannot judge (bad input, internal error, deadline), it exits 2 so the client blocks the call."))
		fs.PrintDefaults()
	}
	// Even a bad hook command line must not let the tool run (exit 2).
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 0 {
		return failHook(stderr, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}

	// The work runs on this goroutine; a watchdog timer ends the process
	// with exit 2 if reading or judging overruns its deadline. (Handing the
	// work to other goroutines and waiting costs thread wake-ups on every
	// call; a timer costs nothing until it fires.)
	w := startWatchdog(stderr, readDeadline, "no complete hook event on stdin within "+readDeadline.String())
	defer w.stop()
	data, err := hooks.ReadInput(stdin)
	if err != nil {
		if !w.finish() {
			return w.waitForExit()
		}
		return failHook(stderr, err)
	}
	w.reset(evalDeadline, "evaluation took longer than "+evalDeadline.String())
	res, err := judgeRecovered(data, *client, *profile, time.Now().Add(evalDeadline), stderr)
	if !w.finish() {
		// The watchdog fired while we were judging: it owns the answer.
		return w.waitForExit()
	}
	if err != nil {
		return failHook(stderr, err)
	}
	stdout.Write(res.Stdout)
	if res.Stderr != "" {
		io.WriteString(stderr, res.Stderr)
	}
	return res.Exit
}

// judgeRecovered is judge with an internal panic turned into an error, so
// that it fails closed.
func judgeRecovered(data []byte, client, profile string, deadline time.Time, stderr io.Writer) (res hooks.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return judge(data, client, profile, deadline, stderr)
}

// hookExit ends the process when the watchdog fires; tests replace it.
var hookExit = os.Exit

// watchdog blocks the call (exit 2 with a one-line reason) if the hook is
// still working when its deadline passes. Whoever wins the race between
// finish and the timer decides the answer, so a late verdict is never
// printed after the block.
type watchdog struct {
	mu     sync.Mutex
	timer  *time.Timer
	reason string
	fired  bool
	done   bool
	exited chan int
	stderr io.Writer
}

func startWatchdog(stderr io.Writer, d time.Duration, reason string) *watchdog {
	w := &watchdog{reason: reason, stderr: stderr, exited: make(chan int, 1)}
	w.timer = time.AfterFunc(d, w.fire)
	return w
}

func (w *watchdog) fire() {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return
	}
	w.fired = true
	reason := w.reason
	w.mu.Unlock()
	code := failHook(w.stderr, errors.New(reason))
	w.exited <- code
	hookExit(code)
}

// reset starts the next phase's deadline.
func (w *watchdog) reset(d time.Duration, reason string) {
	w.mu.Lock()
	w.reason = reason
	w.mu.Unlock()
	w.timer.Reset(d)
}

// finish reports whether the work finished before the deadline; after it
// returns true the watchdog can no longer fire.
func (w *watchdog) finish() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fired {
		return false
	}
	w.done = true
	return true
}

// waitForExit returns the watchdog's exit code (only reached when hookExit
// returned, i.e. in tests).
func (w *watchdog) waitForExit() int { return <-w.exited }

func (w *watchdog) stop() { w.timer.Stop() }

// judge decodes, evaluates and encodes one event; deadline is when the
// watchdog fires.
func judge(data []byte, clientName, profile string, deadline time.Time, stderr io.Writer) (hooks.Result, error) {
	if clientName == "" {
		clientName = hooks.Detect(data)
	}
	client, err := hooks.Lookup(clientName)
	if err != nil {
		return hooks.Result{}, err
	}
	home := os.Getenv("HOME")
	getwd := func() string { cwd, _ := os.Getwd(); return cwd }
	act, err := client.Decode(data, hooks.Env{Home: home, Getwd: getwd})
	if err != nil {
		return hooks.Result{}, err
	}
	rt, err := loadRuntime(profile, stderr)
	if err != nil {
		return hooks.Result{}, err
	}
	var v guards.Verdict
	if act.Event == hooks.ConfigChange {
		v = configChangeVerdict(&act)
	} else {
		v = rt.Evaluate(&act)
		applyApproval(&act, &v, rt.Config.Approvals, stderr) // allow-once codes
		hooks.Replace(&act, &v, rt.Evaluate)
	}
	if !isCanary(&act) {
		bk := keepBackup(&act, &v, rt.Config.Backup, deadline, stderr)
		recordDecision(&act, &v, rt.Profile, logOptions(rt.Config.Log), bk, stderr)
	}
	answer := hooks.CarryCaution(&act, &v, rt.Evaluate)
	return client.Encode(&act, answer), nil
}

// canaryEnv is set by doctor in the environment of the hook commands it
// runs; with it, its canary events stay out of the user's audit log.
const canaryEnv = "BULWARK_DOCTOR_CANARY"

// isCanary reports whether the event is doctor's self-test: its session id
// and doctor's environment marker, both.
func isCanary(act *guards.Action) bool {
	return act.SessionID == clients.CanarySession && os.Getenv(canaryEnv) == "1"
}

// failHook blocks the call with a one-line reason (exit 2).
func failHook(stderr io.Writer, err error) int {
	r := hooks.FailClosed(err)
	io.WriteString(stderr, r.Stderr)
	return r.Exit
}

// recordDecision appends the decision to the audit log. A log that cannot be
// written (full disk, unwritable state dir) never changes the verdict: the
// failure is reported on stderr, which the client keeps out of the agent's
// way for an exit-0 answer.
func recordDecision(act *guards.Action, v *guards.Verdict, profile string, opts audit.Options, bk *audit.BackupRecord, stderr io.Writer) {
	rec := report.Record(act, v, profile)
	rec.Backup = bk
	if bk != nil {
		opts.OnlyNonAllow = false // every backup is on the record, even of a plain allow
	}
	if err := audit.Append(config.StateDir(), rec, opts); err != nil {
		fmt.Fprintf(stderr, "bulwark: audit log not written: %v\n", err)
	}
}
