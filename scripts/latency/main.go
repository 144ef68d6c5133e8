// Command latency measures bulwark's hook as a whole process, the way a
// client runs it, against the cheapest programs that can answer at all:
// /bin/true, a Go hello-world and the minimal Go JSON reader (./reader: read
// the event, decode it, print `{}`), each reading the same event file. The
// programs run interleaved, one of each per round in a rotating order, so
// that a noisy machine's drift affects all of them alike; the report gives
// ratios of medians, which are steady where the absolutes are not. With
// valgrind installed it also gives callgrind instruction counts, which do not
// depend on the machine's load at all.
//
// It builds the reader and hello-world itself (with the release flags of
// `make build`; for the instruction counts also a copy of bulwark from this
// tree with its deadlines stretched, as valgrind is slow) and writes its events into a temporary directory, with a
// fresh BULWARK_HOME and HOME and a project directory holding .git, as on a
// developer's machine.
//
//	go run ./scripts/latency -bin bin/bulwark -n 200
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The goals of issue 11, as ratios to the reader reading the same event.
var goals = map[string]float64{"typical": 1.15, "post-200k": 3, "write-1m": 3}

type program struct {
	name  string   // what the report calls it
	argv  []string // exec'ed directly, no shell
	event string   // event name (its file is the stdin), "" for none
}

func main() {
	bin := flag.String("bin", "bin/bulwark", "the bulwark binary")
	rounds := flag.Int("n", 200, "rounds (each runs every program once)")
	warm := flag.Int("warmup", 10, "warm-up rounds, not counted")
	profile := flag.String("profile", "balanced", "profile the hook runs with")
	callgrind := flag.Bool("callgrind", true, "also count instructions with valgrind's callgrind (when installed)")
	keep := flag.String("keep", "", "work in this directory and keep it (events, programs), for a closer look")
	flag.Parse()

	work := *keep
	if work == "" {
		var err error
		work, err = os.MkdirTemp("", "bulwark-latency-")
		check(err)
		defer os.RemoveAll(work)
	}
	work, err := filepath.Abs(work)
	check(err)
	binPath, err := filepath.Abs(*bin)
	check(err)
	reader := build(work, "reader")
	hello := build(work, "hello")
	project := filepath.Join(work, "project")
	check(os.MkdirAll(filepath.Join(project, ".git"), 0o755))
	check(os.MkdirAll(filepath.Join(work, "home"), 0o755))
	events := writeEvents(work, project)

	hook := []string{binPath, "hook", "--client", "claude", "--profile", *profile}
	progs := []program{
		{"/bin/true", []string{"/bin/true"}, "typical"},
		{"hello-world", []string{hello}, "typical"},
		{"bulwark version", []string{binPath, "version"}, "typical"},
	}
	for _, ev := range eventNames {
		progs = append(progs, program{"reader " + ev, []string{reader}, ev}, program{"hook " + ev, hook, ev})
	}
	env := append(os.Environ(), "BULWARK_HOME="+filepath.Join(work, "state"), "HOME="+filepath.Join(work, "home"))

	times := make([][]time.Duration, len(progs))
	for round := 0; round < *warm+*rounds; round++ {
		for k := range progs {
			i := (k + round) % len(progs) // rotate the order: no program always runs first
			d := runOnce(progs[i], events, env, project)
			if round >= *warm {
				times[i] = append(times[i], d)
			}
		}
	}

	var counts map[string]int64
	if _, err := exec.LookPath("valgrind"); *callgrind && err == nil {
		// The hook is counted in a copy built from this tree whose
		// deadlines are stretched (main.deadlineScale): under valgrind a
		// large event would otherwise hit them and be counted half done.
		// (Only for the tree's own build: another binary is counted as
		// it is.)
		measured := binPath
		if own, _ := filepath.Abs("bin/bulwark"); own == binPath {
			measured = filepath.Join(work, "bulwark-measured")
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.deadlineScale=100", "-o", measured, "./cmd/bulwark")
			cmd.Stderr = os.Stderr
			check(cmd.Run())
		}
		counts = map[string]int64{}
		for _, p := range progs {
			if p.argv[0] == binPath {
				p.argv = append([]string{measured}, p.argv[1:]...)
			}
			counts[p.name] = instructions(p, events, env, project, work)
		}
	}

	med := func(name string) time.Duration {
		for i, p := range progs {
			if p.name == name {
				return pct(times[i], 50)
			}
		}
		panic(name)
	}
	base := med("/bin/true")
	fmt.Printf("%d rounds, interleaved; profile %s; %s\n\n", *rounds, *profile, time.Now().Format("2006-01-02"))
	fmt.Printf("%-22s %9s %9s %8s %12s\n", "program (stdin event)", "median", "p90", "x true", "instructions")
	for i, p := range progs {
		m := pct(times[i], 50)
		ir := ""
		if n, ok := counts[p.name]; ok && n > 0 {
			ir = strconv.FormatInt(n, 10)
		} else if ok {
			ir = "(deadline)" // the hook's evaluation deadline ends it under valgrind
		}
		fmt.Printf("%-22s %9s %9s %7.2fx %12s\n", p.name, us(m), us(pct(times[i], 90)), float64(m)/float64(base), ir)
	}
	fmt.Printf("\nhook / reader, same event (goal in brackets):\n")
	for _, ev := range eventNames {
		r := float64(med("hook "+ev)) / float64(med("reader "+ev))
		line := fmt.Sprintf("  %-10s %5.2fx wall", ev, r)
		if n, m := counts["hook "+ev], counts["reader "+ev]; n > 0 && m > 0 {
			line += fmt.Sprintf(", %5.2fx instructions", float64(n)/float64(m))
		}
		if g, ok := goals[ev]; ok {
			verdict := "met"
			if r > g {
				verdict = "NOT met"
			}
			line += fmt.Sprintf("   [<= %.2fx: %s]", g, verdict)
		}
		fmt.Println(line)
	}
}

// build compiles ./scripts/latency/NAME with the flags of `make build`.
func build(work, name string) string {
	out := filepath.Join(work, name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./scripts/latency/"+name)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
	return out
}

func runOnce(p program, events map[string]string, env []string, dir string) time.Duration {
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	in, err := os.Open(events[p.event])
	check(err)
	defer in.Close()
	cmd.Stdin = in
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	if _, ok := err.(*exec.ExitError); !ok {
		check(err) // a deny (exit 2) is an answer, not a failure
	}
	return d
}

var collected = regexp.MustCompile(`Collected : (\d+)`)

// instructions runs p once under callgrind and returns the instructions it
// executed (0 when valgrind fails). Go's asynchronous preemption signals
// confuse callgrind, so they are off for this run.
func instructions(p program, events map[string]string, env []string, dir, work string) int64 {
	args := append([]string{"--tool=callgrind", "--callgrind-out-file=" + filepath.Join(work, "callgrind.out")}, p.argv...)
	cmd := exec.Command("valgrind", args...)
	cmd.Env, cmd.Dir = append(env, "GODEBUG=asyncpreemptoff=1"), dir
	in, err := os.Open(events[p.event])
	check(err)
	defer in.Close()
	cmd.Stdin = in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	_ = cmd.Run()
	m := collected.FindSubmatch(stderr.Bytes())
	if m == nil || bytes.Contains(stderr.Bytes(), []byte("took longer than")) {
		// No count, or the hook's own deadline cut the run short (valgrind
		// is some 50x slower): a count of half the work would mislead.
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// eventNames are the events measured, in report order.
var eventNames = []string{"git-status", "typical", "chain", "nested", "post-200k", "write-1m"}

// writeEvents writes one Claude Code event per name and returns their paths.
// Every command here is data for the hook on stdin; nothing runs it.
func writeEvents(work, project string) map[string]string {
	pre := func(tool string, input map[string]any) map[string]any {
		return map[string]any{"session_id": "bench", "transcript_path": filepath.Join(work, "t.jsonl"), "cwd": project,
			"permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": input,
			"tool_use_id": "toolu_bench"}
	}
	bash := func(cmd string) map[string]any {
		return pre("Bash", map[string]any{"command": cmd, "description": "bench"})
	}
	post := pre("Bash", map[string]any{"command": "go test ./...", "description": "test"})
	post["hook_event_name"] = "PostToolUse"
	post["tool_response"] = map[string]any{"stdout": testLog(200 << 10), "stderr": "", "interrupted": false, "isImage": false}
	evs := map[string]map[string]any{
		"git-status": bash("git status"),
		"typical":    bash("cd web && npm ci && npm run build -- --mode production"),
		"chain":      bash(`git add -A && git commit -m "fix: handle empty input" && go test ./... 2>&1 | tail -20 && git log --oneline -3`),
		"nested":     bash(`bash -c "$(echo ZWNobyBoZWxsbw== | base64 -d)" && python3 -c 'import os; print(os.getcwd())'`),
		"post-200k":  post,
		"write-1m":   pre("Write", map[string]any{"file_path": filepath.Join(project, "internal/big/big.go"), "content": goSource(1 << 20)}),
	}
	paths := map[string]string{}
	for name, ev := range evs {
		data, err := json.Marshal(ev)
		check(err)
		paths[name] = filepath.Join(work, name+".json")
		check(os.WriteFile(paths[name], data, 0o644))
	}
	return paths
}

// testLog is n bytes of the kind of output a build and test run prints.
func testLog(n int) string {
	var b strings.Builder
	pkgs := []string{"cmd/server", "internal/auth", "internal/store", "internal/api/v2", "pkg/retry", "pkg/config"}
	for i := 0; b.Len() < n; i++ {
		p := pkgs[i%len(pkgs)]
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "=== RUN   TestHandler%d/case_%d\n", i, i%7)
		case 1:
			fmt.Fprintf(&b, "    handler_test.go:%d: request GET /api/v2/items?page=%d took %dms\n", 40+i%300, i%13, i%97)
		case 2:
			fmt.Fprintf(&b, "--- PASS: TestHandler%d/case_%d (0.%02ds)\n", i, i%7, i%100)
		case 3:
			fmt.Fprintf(&b, "ok  \texample.com/app/%s\t0.%03ds\tcoverage: %d.%d%% of statements\n", p, i%1000, 50+i%50, i%10)
		case 4:
			fmt.Fprintf(&b, "2026/12/04 10:%02d:%02d INFO server listening addr=127.0.0.1:%d pid=%d\n", i%60, i%60, 8000+i%100, 4000+i)
		}
	}
	return b.String()[:n]
}

// goSource is n bytes of ordinary Go code.
func goSource(n int) string {
	var b strings.Builder
	b.WriteString("// Package big is generated test data.\npackage big\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "// Item%d describes one entry of the catalogue; see the README for the format.\n", i)
		fmt.Fprintf(&b, "type Item%d struct {\n\tName  string `json:\"name\"`\n\tCount int    `json:\"count\"`\n}\n\n", i)
		fmt.Fprintf(&b, "func (it *Item%d) String() string {\n\treturn fmt.Sprintf(\"%%s (%%d)\", strings.TrimSpace(it.Name), it.Count)\n}\n\n", i)
	}
	return b.String()[:n]
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func us(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/1e6) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(1)
	}
}
