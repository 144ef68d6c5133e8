package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
)

// Hook deadlines. The client gives a hook seconds; bulwark answers in
// milliseconds, and when it cannot it blocks instead of letting the client's
// own timeout wave the call through.
// Variables so tests can shorten them.
var (
	readDeadline = 2 * time.Second        // reading the event from stdin
	evalDeadline = 750 * time.Millisecond // decoding, analysing, matching, logging
)

func init() {
	register("hook", "answer one hook event from stdin (what the client runs)", cmdHook)
}

func cmdHook(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "profile: minimal, balanced or strict (default $BULWARK_PROFILE or balanced)")
	client := fs.String("client", "", "client protocol: claude, codex, cursor or gemini (default: detected from the input)")
	fs.Usage = func() {
		fmt.Fprint(stderr, joinLines(
			"usage: bulwark hook [--profile P] [--client C] < event.json",
			"",
			"Reads one hook event as JSON on stdin and answers in the client's protocol.",
			"When it cannot judge (bad input, internal error, deadline), it exits 2 so the client blocks the call."))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		// Even a bad hook command line must not let the tool run.
		return ExitBlock
	}
	if fs.NArg() > 0 {
		return failHook(stderr, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}

	data, err := readWithDeadline(stdin, readDeadline)
	if err != nil {
		return failHook(stderr, err)
	}
	type answer struct {
		res hooks.Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- answer{err: fmt.Errorf("internal error: %v", r)}
			}
		}()
		res, err := judge(data, *client, *profile, stderr)
		done <- answer{res, err}
	}()
	timer := time.NewTimer(evalDeadline)
	defer timer.Stop()
	select {
	case a := <-done:
		if a.err != nil {
			return failHook(stderr, a.err)
		}
		stdout.Write(a.res.Stdout)
		if a.res.Stderr != "" {
			io.WriteString(stderr, a.res.Stderr)
		}
		return a.res.Exit
	case <-timer.C:
		return failHook(stderr, fmt.Errorf("evaluation took longer than %v", evalDeadline))
	}
}

// judge decodes, evaluates and encodes one event.
func judge(data []byte, clientName, profile string, stderr io.Writer) (hooks.Result, error) {
	if clientName == "" {
		clientName = hooks.Detect(data)
	}
	client, err := hooks.Lookup(clientName)
	if err != nil {
		return hooks.Result{}, err
	}
	home := os.Getenv("HOME")
	cwd, _ := os.Getwd()
	act, err := client.Decode(data, hooks.Env{Home: home, Cwd: cwd})
	if err != nil {
		return hooks.Result{}, err
	}
	rt, err := loadRuntime(profile, stderr)
	if err != nil {
		return hooks.Result{}, err
	}
	v := rt.Evaluate(&act)
	recordDecision(&act, &v, rt.Profile, stderr)
	return client.Encode(&act, &v), nil
}

// failHook blocks the call with a one-line reason (exit 2).
func failHook(stderr io.Writer, err error) int {
	r := hooks.FailClosed(err)
	io.WriteString(stderr, r.Stderr)
	return r.Exit
}

// readWithDeadline reads all of r, giving up after d: a client that never
// closes stdin must not wedge the hook (and with it the agent's session).
func readWithDeadline(r io.Reader, d time.Duration) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := hooks.ReadInput(r)
		ch <- result{data, err}
	}()
	select {
	case res := <-ch:
		return res.data, res.err
	case <-time.After(d):
		return nil, errors.New("no complete hook event on stdin within " + d.String())
	}
}

// recordDecision appends the decision to the audit log. A log that cannot be
// written (full disk, unwritable state dir) never changes the verdict: the
// failure is reported on stderr, which the client keeps out of the agent's
// way for an exit-0 answer.
func recordDecision(act *guards.Action, v *guards.Verdict, profile string, stderr io.Writer) {
	if err := audit.Append(config.StateDir(), audit.FromVerdict(act, v, profile), logOptions()); err != nil {
		fmt.Fprintf(stderr, "bulwark: audit log not written: %v\n", err)
	}
}
