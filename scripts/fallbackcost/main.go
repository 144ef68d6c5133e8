// Command fallbackcost measures what the hook command's fail-closed fallback
// (installer.FailClosedCommand) costs a call that bulwark answers: the
// shell can no longer exec the binary in its own place, so it forks, waits
// and exits. Whole processes the way the clients run them (sh -c for
// Claude Code, bash -c for Gemini CLI and Codex here), the plain command and
// the command with the fallback, interleaved in one run with /bin/true and
// the minimal Go JSON reader through the same shell, reported as medians
// and ratios. The event is a benign Bash call on the hook's stdin.
//
//	go run ./scripts/fallbackcost -bin bin/bulwark -n 200
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/bulwark-guard/bulwark/installer"
)

func main() {
	bin := flag.String("bin", "bin/bulwark", "the bulwark binary")
	rounds := flag.Int("n", 200, "rounds")
	flag.Parse()
	binPath, err := filepath.Abs(*bin)
	check(err)
	work, err := os.MkdirTemp("", "bulwark-fallbackcost-")
	check(err)
	defer os.RemoveAll(work)
	reader := filepath.Join(work, "reader")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", reader, "./scripts/latency/reader")
	build.Stderr = os.Stderr
	check(build.Run())
	event := filepath.Join(work, "event.json")
	check(os.WriteFile(event, []byte(`{"session_id":"bench","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"go test ./...","description":"test"},"tool_use_id":"toolu_bench"}`), 0o644))

	plain := installer.HookCommand(binPath, "claude", "balanced")
	guarded := installer.FailClosedCommand(plain)
	type prog struct{ name, shell, command string }
	var progs []prog
	for _, sh := range []string{"sh", "bash"} {
		progs = append(progs,
			prog{sh + " -c /bin/true", sh, "/bin/true"},
			prog{sh + " -c reader", sh, `"` + reader + `"`},
			prog{sh + " -c hook (plain)", sh, plain},
			prog{sh + " -c hook (fallback)", sh, guarded})
	}
	times := make([][]time.Duration, len(progs))
	cpu := make([][]time.Duration, len(progs))
	for r := 0; r < *rounds+5; r++ {
		for k := range progs {
			i := (k + r) % len(progs)
			p := progs[i]
			cmd := exec.Command(p.shell, "-c", p.command)
			cmd.Env = []string{"HOME=" + work, "BULWARK_HOME=" + filepath.Join(work, "state"), "PATH=" + os.Getenv("PATH")}
			in, err := os.Open(event)
			check(err)
			cmd.Stdin = in
			start := time.Now()
			out, err := cmd.Output()
			d := time.Since(start)
			in.Close()
			check(err)
			if i%4 >= 2 && string(out) != "{}" && string(out) != "{}\n" {
				check(fmt.Errorf("%s answered %q", p.name, out))
			}
			if r >= 5 {
				times[i] = append(times[i], d)
				cpu[i] = append(cpu[i], cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
			}
		}
	}
	fmt.Printf("%d rounds, interleaved, %s\n\n", *rounds, time.Now().Format("2006-01-02"))
	fmt.Printf("%-26s %10s %10s %9s %9s\n", "program", "median", "p90", "x true", "x reader")
	for i, p := range progs {
		base, rd := median(times[i/4*4]), median(times[i/4*4+1])
		m := median(times[i])
		fmt.Printf("%-26s %10s %10s %8.2fx %8.2fx\n", p.name, ms(m), ms(pct(times[i], 90)), float64(m)/float64(base), float64(m)/float64(rd))
	}
	fmt.Println()
	for _, j := range []int{0, 4} {
		fmt.Printf("fallback cost under %s: %+.2f ms wall (median), %+.2f ms CPU of the shell's process (median)\n", progs[j].shell,
			float64((median(times[j+3])-median(times[j+2])).Microseconds())/1000,
			float64((median(cpu[j+3])-median(cpu[j+2])).Microseconds())/1000)
	}
}

func median(ds []time.Duration) time.Duration { return pct(ds, 50) }

func pct(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fallbackcost:", err)
		os.Exit(1)
	}
}
