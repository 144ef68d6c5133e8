package clients

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// commandVersion runs `name args...` and returns the first x.y.z in its
// output.
func commandVersion(name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not on PATH", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v", path, strings.Join(args, " "), err)
	}
	v := findVersion(string(out))
	if v == "" {
		return "", fmt.Errorf("%s %s printed no version: %q", path, strings.Join(args, " "), strings.TrimSpace(string(out)))
	}
	return v, nil
}

// versionLess compares dotted numeric versions (missing parts are 0).
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// findVersion returns the first x.y.z (digits and two dots) in s.
func findVersion(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || (i > 0 && (s[i-1] >= '0' && s[i-1] <= '9' || s[i-1] == '.')) {
			continue
		}
		j, dots := i, 0
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') {
			if s[j] == '.' {
				dots++
			}
			j++
		}
		if dots >= 2 {
			return s[i:j]
		}
		i = j
	}
	return ""
}
