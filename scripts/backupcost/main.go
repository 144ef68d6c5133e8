// Command backupcost measures what the backup adds to the hook, as whole
// processes the way a client runs them, interleaved with /bin/true in one
// run and reported as medians and ratios:
//
//   - `rm -rf build/` over 10,000 small files, and over one 1 GiB file, with
//     the backup on (a hard link per file) and off ([backup] enabled = false);
//   - `git status`, a call that destroys nothing, with the backup on.
//
// The store is emptied between runs (outside the timing), so that every run
// makes a whole backup and none is pruned. The commands are data on the
// hook's stdin; nothing runs them.
//
//	go run ./scripts/backupcost -bin bin/bulwark -n 30
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/bulwark", "the bulwark binary")
	rounds := flag.Int("n", 30, "rounds")
	budget := flag.Int("budget", 0, "[backup] max_call_ms for the runs with the backup on (0: the default)")
	flag.Parse()
	binPath, err := filepath.Abs(*bin)
	check(err)
	work, err := os.MkdirTemp("", "bulwark-backupcost-")
	check(err)
	defer os.RemoveAll(work)

	small := filepath.Join(work, "small")
	makeTree(filepath.Join(small, "build"), 10000)
	big := filepath.Join(work, "big")
	check(os.MkdirAll(filepath.Join(big, "build"), 0o755))
	f, err := os.Create(filepath.Join(big, "build", "blob.bin"))
	check(err)
	check(f.Truncate(0))
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	for range 1024 {
		_, err := f.Write(buf)
		check(err)
	}
	check(f.Close())

	home := filepath.Join(work, "home")
	on, off := filepath.Join(work, "state-on"), filepath.Join(work, "state-off")
	for _, d := range []string{home, on, off} {
		check(os.MkdirAll(d, 0o755))
	}
	check(os.WriteFile(filepath.Join(off, "config.toml"), []byte("[backup]\nenabled = false\n"), 0o644))
	if *budget > 0 {
		check(os.WriteFile(filepath.Join(on, "config.toml"), []byte(fmt.Sprintf("[backup]\nmax_call_ms = %d\n", *budget)), 0o644))
	}

	type prog struct {
		name, dir, state, event string
		argv                    []string
	}
	ev := func(name, dir, cmd string) string {
		e := map[string]any{"session_id": "bench", "cwd": dir, "hook_event_name": "PreToolUse", "tool_name": "Bash",
			"tool_input": map[string]any{"command": cmd}, "tool_use_id": "toolu_bench"}
		p := filepath.Join(work, name+".json")
		data, _ := json.Marshal(e)
		check(os.WriteFile(p, data, 0o644))
		return p
	}
	rmSmall, rmBig, status := ev("rm-small", small, "rm -rf build/"), ev("rm-big", big, "rm -rf build/"), ev("status", small, "git status")
	hook := []string{binPath, "hook", "--client", "claude"}
	progs := []prog{
		{"/bin/true", small, on, status, []string{"/bin/true"}},
		{"hook: git status (backup on)", small, on, status, hook},
		{"hook: rm -rf build/, 10,000 files, backup off", small, off, rmSmall, hook},
		{"hook: rm -rf build/, 10,000 files, backup on", small, on, rmSmall, hook},
		{"hook: rm -rf build/, 1 GiB file, backup off", big, off, rmBig, hook},
		{"hook: rm -rf build/, 1 GiB file, backup on", big, on, rmBig, hook},
	}
	times := make([][]time.Duration, len(progs))
	var answers = map[string]string{}
	for r := 0; r < *rounds+2; r++ {
		for k := range progs {
			i := (k + r) % len(progs)
			p := progs[i]
			os.RemoveAll(filepath.Join(p.state, "backup"))
			os.Remove(filepath.Join(p.state, "audit.jsonl"))
			cmd := exec.Command(p.argv[0], p.argv[1:]...)
			cmd.Dir = p.dir
			cmd.Env = []string{"HOME=" + home, "BULWARK_HOME=" + p.state, "PATH=" + os.Getenv("PATH")}
			in, err := os.Open(p.event)
			check(err)
			cmd.Stdin = in
			start := time.Now()
			out, err := cmd.Output()
			d := time.Since(start)
			in.Close()
			if _, ok := err.(*exec.ExitError); !ok {
				check(err)
			}
			answers[p.name] = strings.TrimSpace(string(out))
			if r >= 2 {
				times[i] = append(times[i], d)
			}
		}
	}
	var st syscall.Statfs_t
	check(syscall.Statfs(work, &st))
	fmt.Printf("%d rounds, interleaved, %s; filesystem of the project and the store: %s\n\n", *rounds, time.Now().Format("2006-01-02"), fsName(st.Type))
	base := median(times[0])
	fmt.Printf("%-48s %10s %10s %9s\n", "program", "median", "p90", "x true")
	for i, p := range progs {
		m := median(times[i])
		fmt.Printf("%-48s %10s %10s %8.1fx\n", p.name, ms(m), ms(pct(times[i], 90)), float64(m)/float64(base))
	}
	fmt.Println()
	for _, pair := range [][2]int{{2, 3}, {4, 5}} {
		fmt.Printf("backup cost, %s: +%s\n", strings.TrimPrefix(progs[pair[1]].name, "hook: "), ms(median(times[pair[1]])-median(times[pair[0]])))
	}
	for _, p := range progs[1:] {
		if a := answers[p.name]; a != "{}" {
			fmt.Printf("\nlast answer of %s: %s\n", p.name, a)
		}
	}
}

func makeTree(root string, n int) {
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("d%02d", i%100))
		check(os.MkdirAll(dir, 0o755))
		check(os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d.o", i)), []byte(fmt.Sprintf("object %d\n", i)), 0o644))
	}
}

func fsName(t int64) string {
	switch t {
	case 0xEF53:
		return "ext4"
	case 0x9123683E:
		return "btrfs"
	case 0x58465342:
		return "xfs"
	case 0x01021994:
		return "tmpfs"
	case 0x794c7630:
		return "overlayfs"
	}
	return fmt.Sprintf("0x%x", t)
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
		fmt.Fprintln(os.Stderr, "backupcost:", err)
		os.Exit(1)
	}
}
