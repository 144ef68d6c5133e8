package shell

import (
	"strings"
	"testing"
)

// TestEnvVars: variables whose values the caller knows (Env.Vars: the
// hook's own BULWARK_HOME, XDG_STATE_HOME ...) expand in every form the
// shell has, as the agent's shell expands them, until the line assigns
// or unsets them; any other variable stays dynamic.
func TestEnvVars(t *testing.T) {
	env := Env{Home: "/home/u", Cwd: "/w", Vars: map[string]string{"BULWARK_HOME": "/srv/bh", "XDG_STATE_HOME": "/srv/state", "EMPTY": ""}}
	tests := []struct{ cmd, want string }{
		{"rm -f $BULWARK_HOME/audit.jsonl", "rm /srv/bh/audit.jsonl"},
		{"rm -f ${BULWARK_HOME}/backup", "rm /srv/bh/backup"},
		{"rm -f $BULWARK_HOME", "rm /srv/bh"},
		{"rm -f $XDG_STATE_HOME/bulwark/backup", "rm /srv/state/bulwark/backup"},
		{"rm -f $BULWARK_HOMEX/a", "rm $BULWARK_HOMEX/a^d"},
		{"rm -f $OTHER/a", "rm $OTHER/a^d"},
		{"rm -f x/$BULWARK_HOME", "rm x//srv/bh"},
		{`rm -f "$BULWARK_HOME"/audit.jsonl`, "rm /srv/bh/audit.jsonl"},
		{`rm -f "${BULWARK_HOME}/audit.jsonl"`, "rm /srv/bh/audit.jsonl"},
		{"rm -f ${BULWARK_HOME:-/nonexistent}/audit.jsonl", "rm /srv/bh/audit.jsonl"},
		{"rm -f ${BULWARK_HOME:-$HOME/x}/audit.jsonl", "rm /srv/bh/audit.jsonl"},
		{"rm -f ${BULWARK_HOME:+/elsewhere}", "rm /elsewhere"},
		{"rm -rf ${BULWARK_HOME%/}", "rm /srv/bh"},
		{"cd $BULWARK_HOME && rm -f audit.jsonl", "cd /srv/bh; rm audit.jsonl@/srv/bh"},
		{`d=$XDG_STATE_HOME/bulwark; rm -rf "$d"`, "rm /srv/state/bulwark"},
		{"BULWARK_HOME=/tmp/x; rm -rf $BULWARK_HOME", "rm /tmp/x"},
		{"unset BULWARK_HOME; rm -rf $BULWARK_HOME/x", "unset BULWARK_HOME; rm /x"},
		{"rm -rf $EMPTY/", "rm /"},
	}
	for _, tt := range tests {
		a := Analyze(tt.cmd, env)
		var got []string
		for _, c := range a.Commands {
			s := c.Name
			for _, w := range c.Args {
				if strings.HasPrefix(w.Value, "-") && !w.Dynamic {
					continue
				}
				s += " " + w.Value
				if w.Dynamic {
					s += "^d"
				}
			}
			if c.Cwd != "" && c.Cwd != env.Cwd {
				s += "@" + c.Cwd
			}
			got = append(got, s)
		}
		if g := strings.Join(got, "; "); g != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.cmd, g, tt.want)
		}
	}
	// Without Vars the same variables are the environment's: dynamic.
	a := Analyze("rm -f $BULWARK_HOME/audit.jsonl", Env{Home: "/home/u"})
	if w := a.Commands[0].Args[1]; !w.Dynamic {
		t.Errorf("without Vars: %+v, want dynamic", w)
	}
}
