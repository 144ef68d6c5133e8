package guards

import (
	"path"
	"strings"
)

// credentialFamily is the pack whose guards recognise credential reads
// (files, stores, token-printing commands): what they match, a session
// remembers as read.
const credentialFamily = "secrets"

// Bounds on what one call adds to its session's memory.
const (
	maxEffectValues = 32
	maxEffectWrites = 64
	maxScannedText  = 1 << 20
)

func (f *facts) effectsOrNew() *Effects {
	if f.effects == nil {
		f.effects = &Effects{}
	}
	return f.effects
}

// credentialRead remembers that the call reads a credential.
func (f *facts) credentialRead(label, p string) {
	e := f.effectsOrNew()
	c := CredentialRead{Label: label, Path: p}
	if !containsCred(e.Credentials, c) {
		e.Credentials = append(e.Credentials, c)
	}
}

func (f *facts) wrote(w WrittenFile) {
	e := f.effectsOrNew()
	for i := range e.Writes {
		if e.Writes[i].Path == w.Path {
			e.Writes[i] = MergeWrite(e.Writes[i], w)
			return
		}
	}
	if len(e.Writes) < maxEffectWrites {
		e.Writes = append(e.Writes, w)
	}
}

// sendList computes the call's sends once.
func (f *facts) sendList() []send {
	if !f.sendsDone {
		f.sendsDone = true
		f.sendsCache = f.sends()
	}
	return f.sendsCache
}

// matchSession judges the call against its session's memory.
func (f *facts) matchSession(g *guard) (string, bool) {
	m := f.act.Memory
	switch g.spec.Condition {
	case CondCredentialSent:
		creds := m.Credentials()
		for _, s := range f.sendList() {
			for _, p := range s.files {
				for _, c := range creds {
					if c.Path != "" && c.Path == p {
						return s.what + " sends " + p + ", which this session read (" + shortLabel(c.Label) + ")", true
					}
				}
			}
			if kind, ok := seenValue(m, s.host, s.texts); ok {
				return s.what + " sends a " + kind + " value this session read", true
			}
		}
	case CondSecretFileSent:
		for _, s := range f.sendList() {
			for _, p := range s.files {
				if w, ok := m.Written(p); ok && w.Secret {
					return s.what + " sends " + p + ", which this session wrote holding " + w.What, true
				}
			}
		}
	case CondCredentialThenSend:
		creds := m.Credentials()
		if len(creds) == 0 {
			return "", false
		}
		// Name the most recent credential file, else the most recent read.
		last := creds[len(creds)-1]
		for i := len(creds) - 1; i >= 0; i-- {
			if creds[i].Path != "" {
				last = creds[i]
				break
			}
		}
		what := shortLabel(last.Label)
		if last.Path != "" {
			what = last.Path + " (" + what + ")"
		}
		for _, s := range f.sendList() {
			if s.data {
				to := s.host
				if to == "" {
					to = "a host only known at run time"
				}
				return s.what + ": sends data to " + to + " after this session read " + what, true
			}
		}
	}
	return "", false
}

// collectEffects records the files the call writes that matter later: those
// holding a secret (an upload of them is exfiltration) and those that run as
// code (a later run is judged with "this session wrote it").
func (f *facts) collectEffects(e *Engine, hs *hitSet) {
	m := f.act.Memory
	for i, c := range f.contents {
		if c.path == "" {
			continue
		}
		var t *text
		if i < len(f.contentTexts) {
			t = &f.contentTexts[i]
		}
		secret, what := contentSecret(c.text, t, m)
		if secret || runsAsCode(c.path, c.text) {
			f.wrote(WrittenFile{Path: c.path, Secret: secret, What: what})
		}
	}
	for i := range f.files {
		ff := &f.files[i]
		if ff.access != AccessWrite || ff.notRun || ff.cmdIndex < 0 || strings.HasPrefix(ff.norm, "/dev/") {
			continue
		}
		what := f.carriedSecret(ff.cmdIndex)
		if what != "" || runsAsCode(ff.norm, "") {
			f.wrote(WrittenFile{Path: ff.norm, Secret: what != "", What: what})
		}
	}
}

// carriedSecret says whether command i (or a command feeding it) reads a
// credential or a file known to hold a secret, so that what it writes is a
// copy: "a copy of ~/.aws/credentials".
func (f *facts) carriedSecret(i int) string {
	read := f.sentFiles(i, true)
	if len(read) == 0 {
		return ""
	}
	var known []CredentialRead
	if f.effects != nil {
		known = f.effects.Credentials
	}
	m := f.act.Memory
	if m != nil {
		known = append(known[:len(known):len(known)], m.Credentials()...)
	}
	for _, p := range read {
		for _, c := range known {
			if c.Path == p {
				return "a copy of " + p
			}
		}
		if m != nil {
			if w, ok := m.Written(p); ok && w.Secret {
				return "a copy of " + p + " (" + w.What + ")"
			}
		}
	}
	return ""
}

// contentSecret says whether text written to a file holds a secret: a
// live token of a known format that the content guards found (their scan
// is reused: no second pass over a large file; generic kinds such as
// password= are often test values and never count alone), or a value the
// session saw.
func contentSecret(text string, t *text, m Memory) (bool, string) {
	if t != nil && t.scanned {
		for _, fd := range t.secrets {
			if fd.Live && !fd.Generic {
				return true, "a " + fd.Kind
			}
		}
	}
	if m != nil && !m.Empty() {
		if len(text) > maxScannedText {
			text = text[:maxScannedText]
		}
		if kind, ok := seenValue(m, "", []string{text}); ok {
			return true, "a " + kind + " value this session read"
		}
	}
	return false, ""
}

// outputEffects are what a tool's output shows: the live secret values in
// it (remembered as hashes) and, for tokens of a known format, the fact
// that the session has now read a credential. It reuses the output guards'
// scan: an output no secret guard looked into holds none of their formats.
func outputEffects(act *Action, t *text) *Effects {
	if t == nil || !t.scanned || len(t.secrets) == 0 {
		return nil
	}
	var e Effects
	for _, fd := range t.secrets {
		if len(e.Values) >= maxEffectValues {
			break
		}
		if !fd.Live {
			continue // a placeholder or a documented example
		}
		e.Values = append(e.Values, SecretValue{Kind: fd.Kind, Value: t.s[fd.Start:fd.End]})
		// Generic kinds (password=, Bearer, user:pass@) are often test values
		// and placeholders: alone they never make a session "have read a
		// credential", though their values are still remembered and matched.
		if !fd.Generic {
			c := CredentialRead{Label: fd.Kind + " in the output of " + act.Tool}
			if !containsCred(e.Credentials, c) {
				e.Credentials = append(e.Credentials, c)
			}
		}
	}
	if e.empty() {
		return nil
	}
	return &e
}

// runsAsCode reports files that run as code when a later call executes or
// builds with them: scripts by extension or shebang, build and task files,
// package manifests (their scripts) and git hooks.
func runsAsCode(p, text string) bool {
	switch path.Ext(p) {
	case ".sh", ".bash", ".zsh", ".ksh", ".command", ".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".rb", ".pl", ".php", ".ps1", ".mk":
		return true
	}
	switch path.Base(p) {
	case "Makefile", "makefile", "GNUmakefile", "package.json", "justfile", "Justfile", ".justfile",
		"Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml":
		return true
	}
	return strings.Contains(p, "/.git/hooks/") || strings.HasPrefix(text, "#!")
}

// shortLabel is a credential's label as evidence shows it: a guard id
// without its family ("secrets.dotenv" -> "dotenv"). Evidence is masked
// before anyone sees it, and the word "secret" alone makes the masker
// compile its AWS-secret expression in the hook process.
func shortLabel(l string) string {
	if rest, ok := strings.CutPrefix(l, credentialFamily+"."); ok {
		return rest
	}
	return l
}
