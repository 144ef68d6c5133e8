package installer

import (
	"path/filepath"
	"slices"
	"strings"
)

// Claude Code: ~/.claude/settings.json ($CLAUDE_CONFIG_DIR relocates it),
// .claude/settings.json (project), .claude/settings.local.json (local).
//
// Install adds to "hooks" one group per event, PreToolUse and PostToolUse:
//
//	{"matcher": "*", "hooks": [{"type": "command",
//	  "command": "\"/abs/bulwark\" hook --client claude --profile balanced",
//	  "timeout": 10, "statusMessage": "bulwark"}]}
//
// (timeout in seconds) and the wanted rules to "permissions"."deny".
var claudeSpec = &spec{
	client:  Claude,
	events:  []string{"PreToolUse", "PostToolUse"},
	grouped: true,
	matcher: "*",
	handler: func(cmd string, o Options) *Value {
		return NewObject(
			"type", NewString("command"),
			"command", NewString(cmd),
			"timeout", NewInt(o.timeout()),
			"statusMessage", NewString(Marker),
		)
	},
	extra:   installDeny,
	unextra: uninstallDeny,
}

// baseDenyRules back the hook up where Claude Code runs a tool without it
// (hook missing, crashed, timed out): secrets that must never be read, the
// settings that wire the hook in, and the catastrophic deletes. Read/Edit
// rules are gitignore patterns; "~/" is home-relative. SSH private keys are
// listed by their standard names so that public keys (.pub) stay readable.
// There is deliberately no "Bash(rm -rf /*)": in Bash rules "*" is a
// wildcard, so that rule would deny every `rm -rf` of an absolute path
// (`rm -rf /tmp/build`); the hook judges those.
var baseDenyRules = []string{
	"Read(~/.ssh/id_rsa)",
	"Read(~/.ssh/id_dsa)",
	"Read(~/.ssh/id_ecdsa)",
	"Read(~/.ssh/id_ecdsa_sk)",
	"Read(~/.ssh/id_ed25519)",
	"Read(~/.ssh/id_ed25519_sk)",
	"Read(~/.aws/credentials)",
	"Read(~/.config/gcloud/**)",
	"Read(~/.kube/config)",
	"Read(~/.docker/config.json)",
	"Read(~/.netrc)",
	"Read(~/.git-credentials)",
	"Edit(~/.claude/settings.json)",
	"Edit(~/.claude/settings.local.json)",
	"Edit(.claude/settings.json)",
	"Edit(.claude/settings.local.json)",
	"Bash(rm -rf /)",
	"Bash(rm -rf ~)",
	"Bash(rm -rf ~/)",
	"Bash(rm -rf $HOME)",
}

// NativeToolDenyRules deny Claude Code's native tools outright (bare tool
// names remove them from the model's context), for --deny-native.
var NativeToolDenyRules = []string{"Bash", "Write", "Edit"}

// DenyPaths are the machine-specific paths DefaultDenyRules protects too.
type DenyPaths struct {
	Home            string // $HOME
	ClaudeConfigDir string // $CLAUDE_CONFIG_DIR when set
	BulwarkDir      string // config.Dir()
	Binary          string // the bulwark executable
}

// DefaultDenyRules returns the backstop deny rules: baseDenyRules, Edit rules
// for a relocated Claude config dir, bulwark's own config dir and binary,
// and with denyNative the bare native tools.
func DefaultDenyRules(p DenyPaths, denyNative bool) []string {
	rules := slices.Clone(baseDenyRules)
	if p.ClaudeConfigDir != "" {
		for _, f := range []string{"settings.json", "settings.local.json"} {
			rules = append(rules, "Edit("+rulePath(p.Home, filepath.Join(p.ClaudeConfigDir, f))+")")
		}
	}
	if p.BulwarkDir != "" {
		rules = append(rules, "Edit("+rulePath(p.Home, p.BulwarkDir)+"/**)")
	}
	if p.Binary != "" {
		rules = append(rules, "Edit("+rulePath(p.Home, p.Binary)+")")
	}
	if denyNative {
		rules = append(rules, NativeToolDenyRules...)
	}
	var out []string
	for _, r := range rules {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// rulePath spells an absolute path in a Read/Edit rule: "~/x" under home,
// else "//abs" (a single leading "/" would be relative to the settings file).
func rulePath(home, p string) string {
	p = filepath.ToSlash(filepath.Clean(p))
	if home != "" {
		h := filepath.ToSlash(filepath.Clean(home))
		if rel, ok := strings.CutPrefix(p, h+"/"); ok {
			return "~/" + rel
		}
	}
	return "/" + p
}

// installDeny ensures every wanted rule is in permissions.deny. Rules an
// earlier install added but that are no longer wanted (e.g. install without
// --deny-native after one with it) are removed. The record lists the rules
// added by bulwark (DenyAdded) and the wanted ones the user already had
// (DenyPreexisting); only the former are ever removed.
func installDeny(root *Value, o Options, rec, prev *Record) error {
	var prevAdded, prevPre []string
	if prev != nil {
		prevAdded, prevPre = prev.DenyAdded, prev.DenyPreexisting
	}
	if len(o.DenyRules) == 0 && len(prevAdded) == 0 {
		return nil
	}
	perms, err := ensure(root, "permissions", "permissions", KindObject, rec)
	if err != nil {
		return err
	}
	deny, err := ensure(perms, "deny", "permissions/deny", KindArray, rec)
	if err != nil {
		return err
	}
	// Drop rules we added before and no longer want.
	var kept []*Value
	for _, e := range deny.Elems {
		s := e.Str()
		if e.Kind == KindString && slices.Contains(prevAdded, s) && !slices.Contains(o.DenyRules, s) {
			continue
		}
		kept = append(kept, e)
	}
	deny.Elems = kept
	have := map[string]bool{}
	for _, e := range deny.Elems {
		if e.Kind == KindString {
			have[e.Str()] = true
		}
	}
	rec.DenyPreexisting = slices.Clone(prevPre)
	for _, r := range o.DenyRules {
		switch {
		case slices.Contains(prevAdded, r):
			rec.DenyAdded = append(rec.DenyAdded, r)
			if !have[r] { // the user removed it since: put it back
				deny.Elems = append(deny.Elems, NewString(r))
			}
		case have[r]:
			if !slices.Contains(rec.DenyPreexisting, r) {
				rec.DenyPreexisting = append(rec.DenyPreexisting, r)
			}
		default:
			deny.Elems = append(deny.Elems, NewString(r))
			rec.DenyAdded = append(rec.DenyAdded, r)
		}
		have[r] = true
	}
	return nil
}

// uninstallDeny removes the rules the record lists as added by bulwark, then
// permissions.deny and permissions if install created them and they are
// empty now. Without a record no rule is touched.
func uninstallDeny(root *Value, rec *Record) error {
	if rec == nil || len(rec.DenyAdded) == 0 {
		return nil
	}
	perms := root.Get("permissions")
	deny := perms.Get("deny")
	if deny == nil || deny.Kind != KindArray {
		return nil
	}
	var kept []*Value
	for _, e := range deny.Elems {
		if e.Kind == KindString && slices.Contains(rec.DenyAdded, e.Str()) && !slices.Contains(rec.DenyPreexisting, e.Str()) {
			continue
		}
		kept = append(kept, e)
	}
	deny.Elems = kept
	if deny.Empty() && rec.created("permissions/deny") {
		perms.Delete("deny")
		if perms.Empty() && rec.created("permissions") {
			root.Delete("permissions")
		}
	}
	return nil
}
