package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
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
//
// Judging is bounded in CPU time, not wall-clock time, in the real binary
// (cpuWatch): input built to make bulwark slow spends CPU, while a burst of
// hooks on a busy machine only waits for it, and must not be refused for
// waiting. The watchdog's timer still runs on the clock, so a fast hook pays
// nothing for this: when it fires at evalDeadline, it looks at the CPU time
// used, and if the hook was only waiting it waits on, up to a wall-clock
// backstop well inside the clients' own timeouts (10 s as installed).
// Variables so tests can shorten them.
var (
	readDeadline = 4 * time.Second        // reading the event from stdin (wall clock: a burst of hooks on a busy machine may wait seconds to be scheduled)
	evalDeadline = 750 * time.Millisecond // decoding, analysing, matching, logging (CPU time; wall clock without cpuWatch)
	wallDeadline = 5 * time.Second        // the wall-clock backstop with cpuWatch (reading and judging stay inside the clients' 10 s)
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
		wallDeadline *= time.Duration(n)
	}
}

// evalBudget is the CPU time the engine may spend judging (every look at
// the call together), out of evalDeadline: the rest is for decoding, the
// backup, the log and the answer.
func evalBudget() time.Duration { return evalDeadline * 2 / 3 }

// cpuWatch makes evalDeadline CPU time. main sets it: the process is then
// the hook alone (tests that run the hook in-process share a process whose
// CPU time is not the hook's).
var cpuWatch = false

// cpuNow is the process's CPU time; tests replace it.
var cpuNow = guards.CPUTime

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
	w := startWatchdog(stdout, stderr, readDeadline, "no complete hook event on stdin within "+readDeadline.String())
	defer w.stop()
	data, err := hooks.ReadInput(stdin)
	if err != nil {
		if !w.finish() {
			return w.waitForExit()
		}
		return failHook(stderr, err)
	}
	if len(data) > 256<<10 {
		// A large event (a big Write, long tool output) is copied and
		// scanned a few times over: a collection cycle started by those
		// few large allocations would cost more than it frees in a process
		// that exits in milliseconds. The limit still bounds the heap.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(512 << 20)
	}
	wall := evalDeadline // the wall-clock limit in force
	if cpuWatch {
		wall = wallDeadline
		w.watchCPU(evalDeadline, wall)
	}
	w.reset(evalDeadline, "evaluation took longer than "+evalDeadline.String())
	res, err := judgeRecovered(data, *client, *profile, time.Now().Add(wall), w, stderr)
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
func judgeRecovered(data []byte, client, profile string, deadline time.Time, w *watchdog, stderr io.Writer) (res hooks.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return judge(data, client, profile, deadline, w, stderr)
}

// hookExit ends the process when the watchdog fires; tests replace it.
var hookExit = os.Exit

// watchdog blocks the call (exit 2 with a one-line reason) if the hook is
// still working when its deadline passes; once the event is decoded it
// answers through fallback instead (which withholds a tool's output, where
// exit 2 would let it through, and logs the call). Whoever wins the race
// between finish (or claim) and the watchdog decides the answer, so a late
// verdict is never printed after the block, and a call is logged once.
type watchdog struct {
	mu       sync.Mutex
	timer    *time.Timer
	reason   string
	fired    bool
	done     bool
	exited   chan int
	stdout   io.Writer
	stderr   io.Writer
	fallback func(reason string) hooks.Result

	// With watchCPU, the deadline is CPU time: cpuLimit of it from cpuStart,
	// and the clock only ends the wait at wallEnd.
	cpuLimit, cpuStart, wall time.Duration
	wallEnd                  time.Time
}

func startWatchdog(stdout, stderr io.Writer, d time.Duration, reason string) *watchdog {
	w := &watchdog{reason: reason, stdout: stdout, stderr: stderr, exited: make(chan int, 1)}
	w.timer = time.AfterFunc(d, w.fire)
	return w
}

// watchCPU makes the next phase's deadline limit of CPU time (the timer is
// then a time to look, not to fire), ending at wall of waiting at most.
func (w *watchdog) watchCPU(limit, wall time.Duration) {
	w.mu.Lock()
	w.cpuLimit, w.cpuStart, w.wall, w.wallEnd = limit, cpuNow(), wall, time.Now().Add(wall)
	w.mu.Unlock()
}

func (w *watchdog) fire() {
	w.mu.Lock()
	if w.cpuLimit > 0 && !w.done && !w.fired {
		used, now := cpuNow()-w.cpuStart, time.Now()
		switch {
		case used < w.cpuLimit && now.Before(w.wallEnd):
			// Only waiting so far: look again once the rest could be spent
			// (at most two threads' worth of CPU per unit of wall time).
			w.timer.Reset(min(max((w.cpuLimit-used)/2, 10*time.Millisecond), w.wallEnd.Sub(now)))
			w.mu.Unlock()
			return
		case used >= w.cpuLimit:
			w.reason = "evaluation used more than " + w.cpuLimit.String() + " of CPU time"
		default:
			w.reason = "evaluation took longer than " + w.wall.String()
		}
	}
	w.mu.Unlock()
	w.fireWith("")
}

// fireWith answers for the hook (reason "": the current phase's).
func (w *watchdog) fireWith(reason string) {
	w.mu.Lock()
	if w.done || w.fired {
		w.mu.Unlock()
		return
	}
	w.fired = true
	if reason == "" {
		reason = w.reason
	}
	fallback := w.fallback
	w.mu.Unlock()
	var code int
	if fallback != nil {
		r := fallback(reason)
		w.stdout.Write(r.Stdout)
		io.WriteString(w.stderr, r.Stderr)
		code = r.Exit
	} else {
		code = failHook(w.stderr, errors.New(reason))
	}
	w.exited <- code
	hookExit(code)
}

// setFallback gives the watchdog the answer to give once the event is
// decoded.
func (w *watchdog) setFallback(f func(reason string) hooks.Result) {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.fallback = f
	w.mu.Unlock()
}

// claim ends the watchdog's say before the hook logs its decision, so that
// a call is logged once: by the hook with its verdict, or by the watchdog
// when it answered first (claim then reports false, and the hook stops).
func (w *watchdog) claim() bool {
	if w == nil {
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fired {
		return false
	}
	w.done = true
	return true
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
func judge(data []byte, clientName, profile string, deadline time.Time, w *watchdog, stderr io.Writer) (hooks.Result, error) {
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
	// Every look at the call (the first, the masked output, the carried
	// caution) shares one CPU deadline.
	act.CPUDeadline = guards.CPUTime() + evalBudget()
	decoded := act // the watchdog's copy: judging goes on with act
	w.setFallback(func(reason string) hooks.Result {
		return lateAnswer(client, &decoded, reason, "", audit.Options{}, stderr)
	})
	rt, err := loadRuntime(profile, stderr)
	if err != nil {
		return hooks.Result{}, err
	}
	w.setFallback(func(reason string) hooks.Result {
		return lateAnswer(client, &decoded, reason, rt.Profile, logOptions(rt.Config.Log), stderr)
	})
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
		if !w.claim() {
			return hooks.Result{}, errLate // the watchdog answered and logged the call
		}
		recordDecision(&act, &v, rt.Profile, logOptions(rt.Config.Log), bk, stderr)
	}
	answer := hooks.CarryCaution(&act, &v, rt.Evaluate)
	return client.Encode(&act, answer), nil
}

// errLate is judge's error when the watchdog answered first (never shown:
// the watchdog's answer stands).
var errLate = errors.New("the watchdog answered first")

// lateAnswer is the watchdog's answer for a decoded call it could not wait
// for: the call is blocked, and a tool's output withheld (an exit 2 after
// the tool ran would not keep its output from the model), and it is logged.
func lateAnswer(client hooks.Client, act *guards.Action, reason, profile string, opts audit.Options, stderr io.Writer) hooks.Result {
	v := guards.LateVerdict(act, reason)
	var r hooks.Result
	if act.Event == guards.PostToolUse {
		if len(act.Response) > 0 {
			act.Replacement = hooks.WithholdResponse(act.Response, report.Withheld(&v))
		}
		r = client.Encode(act, &v)
	} else {
		r = hooks.FailClosed(errors.New(reason))
	}
	if !isCanary(act) {
		recordDecision(act, &v, profile, opts, nil, stderr)
	}
	return r
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
