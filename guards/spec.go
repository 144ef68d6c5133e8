package guards

import (
	"errors"
	"fmt"
	"strings"
)

// PackSpec is one guard pack as written in TOML: one attack family.
// The built-in packs are compiled into Go code from their TOML at build time
// (see packs/), so the hook never decodes TOML for them.
type PackSpec struct {
	Family      string      `toml:"family"`
	Title       string      `toml:"title"`
	Description string      `toml:"description"`
	Guards      []GuardSpec `toml:"guards"`
	// Source is where the pack came from (file name); not part of the TOML.
	Source string `toml:"-"`

	// set is the compiled set this spec was decoded from (PackSet.Packs),
	// so that NewEngine can use the set's own index instead of compiling.
	set      *PackSet
	setIndex int
}

// GuardSpec is one guard as written in a pack. A guard looks at one kind of
// thing (On) and fires when every condition it sets holds.
type GuardSpec struct {
	ID       string `toml:"id"`       // family.name
	Title    string `toml:"title"`    // one line, for people
	Severity string `toml:"severity"` // critical, high, medium, low
	On       string `toml:"on"`       // command, file, content, url, output, analysis

	// Prefilters (and conditions).
	Commands []string `toml:"commands"` // on=command: names, optionally with subcommand words ("git push"); "mkfs*" globs
	Keywords []string `toml:"keywords"` // text targets: at least one must occur (case-insensitive)

	// Conditions for on=command.
	Flags    []string `toml:"flags"`     // any of these flags is present (-r matches -rf; --force matches --force=x)
	NotFlags []string `toml:"not_flags"` // none of these flags is present
	Args     Regex    `toml:"args"`      // regex on the arguments joined by single spaces
	NotArgs  Regex    `toml:"not_args"`  // regex on the joined arguments that must NOT match
	Stdin    Regex    `toml:"stdin"`     // regex on the command's static stdin (heredoc, here-string, echo|)
	Input    Regex    `toml:"input"`     // regex on the joined arguments OR the static stdin
	FedBy    []string `toml:"fed_by"`    // the command's input comes from one of these commands (curl|sh)
	NotFeeds []string `toml:"not_feeds"` // ...unless its output is piped into one of these ("docker login")
	Dynamic  bool     `toml:"dynamic"`   // some operand cannot be resolved statically
	Assigns  Regex    `toml:"assigns"`   // regex on one of the command's NAME=value prefixes (RAILS_ENV=production rails ...)

	// Conditions for on=command and on=file.
	Paths          Regex    `toml:"paths"`           // regex on a normalised path operand ("~/.ssh/id_rsa", "/etc")
	NotPaths       Regex    `toml:"not_paths"`       // regex: paths to leave alone (".env.example")
	Access         string   `toml:"access"`          // on=file: read, write or any (default any)
	ExceptCommands []string `toml:"except_commands"` // on=file: paths named by these commands are not accesses (ls, stat, ssh -i ...)

	// Condition for on=content, url, output.
	Pattern Regex `toml:"pattern"` // regex on the text
	// Secrets names secret formats of redact's one list (instead of a
	// pattern, on=content and on=output): the guard fires on a live value
	// of any of them. Its keywords are those formats' keywords (derived,
	// not written), and it is a secret guard.
	Secrets []string `toml:"secrets"`
	Secret  bool     `toml:"secret"` // the match is a secret value: evidence masks it entirely
	// NotPattern, when it matches the text a pattern matched, makes that
	// match not count (placeholders, documented example keys); a later
	// match may still count.
	NotPattern Regex `toml:"not_pattern"`

	// on=analysis: a property of the shell analysis itself.
	Condition string `toml:"condition"` // on=analysis: unparsed, depth, dynamic-name; on=session: credential-then-send, credential-sent, secret-file-sent

	// Engine is "re2" (Go regexp, linear time; the default) or "regexp2"
	// (lookaround and backreferences, always run with a match timeout).
	Engine string `toml:"engine"`

	Reason  string `toml:"reason"`  // why it is dangerous, for the agent
	Instead string `toml:"instead"` // the safer alternative

	// Examples that must and must not fire this guard, run by the tests and by
	// `bulwark validate`. A Bash command, or "@Tool ARG[ :: TEXT]" for other
	// tools ("@Read ~/.ssh/id_rsa", "@Write deploy.sh :: rm -rf ~"); for
	// on=output the example is the tool's output text.
	Match    []string `toml:"match"`
	NotMatch []string `toml:"not_match"`

	// Literals is derived, not written: for each regex field, lower-case
	// strings one of which any matching text contains (see
	// RequiredLiterals). Filled in by ValidatePack and stored in the
	// generated form, so the hook skips regexes that cannot match. A struct
	// of slices, not a map, so the generated packs need no work at start-up.
	Literals RegexLiterals `toml:"-"`
}

// Regex is a regex field of a guard. In TOML it is one pattern or an array
// of patterns, any of which may match (`paths = ["^~/\\.ssh/", "^~/\\.aws/"]`,
// as gitleaks writes its allowlists): a long alternation is easier to read,
// review and extend as a list, one alternative a line. A list is kept as one
// regex, each alternative in its own group (an inline flag such as (?i)
// stays in its alternative), so everything after decoding sees a string.
type Regex string

// UnmarshalTOML reads a pattern or an array of patterns.
func (r *Regex) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		*r = Regex(x)
		return nil
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("a list of patterns must hold strings, not %T", e)
			}
			if s == "" {
				return errors.New("a list of patterns has an empty pattern (it would match everything)")
			}
			parts = append(parts, "(?:"+s+")")
		}
		if len(parts) == 1 {
			parts[0] = x[0].(string)
		}
		*r = Regex(strings.Join(parts, "|"))
		return nil
	}
	return fmt.Errorf("a pattern must be a string or an array of strings, not %T", v)
}

// RegexLiterals holds the required literals of each regex field: groups
// that must all be satisfied, each by any one of its strings; nil where none
// could be derived.
type RegexLiterals struct {
	Args, NotArgs, Stdin, Input, Paths, NotPaths, Pattern, NotPattern, Assigns [][]string
}

// field returns the slot for a regex field's TOML name.
func (r *RegexLiterals) field(name string) *[][]string {
	switch name {
	case "args":
		return &r.Args
	case "not_args":
		return &r.NotArgs
	case "stdin":
		return &r.Stdin
	case "input":
		return &r.Input
	case "paths":
		return &r.Paths
	case "not_paths":
		return &r.NotPaths
	case "pattern":
		return &r.Pattern
	case "not_pattern":
		return &r.NotPattern
	case "assigns":
		return &r.Assigns
	}
	return nil
}

// Targets a guard can look at.
const (
	OnCommand  = "command"
	OnFile     = "file"
	OnContent  = "content"
	OnURL      = "url"
	OnOutput   = "output"
	OnAnalysis = "analysis"
	OnSession  = "session" // a call judged against what earlier calls of its session did (Action.Memory)
)

// Conditions an on=analysis guard can test.
const (
	CondUnparsed    = "unparsed"     // the command (or nested code) does not parse
	CondDepth       = "depth"        // nesting deeper than the analysis follows
	CondLimit       = "limit"        // an analysis limit was reached (shell.Analysis.Limits)
	CondDynamicName = "dynamic-name" // a command whose name is only known at run time
	// The check did not finish: a pattern timed out or the evaluation's
	// time budget (Action.Deadline) ran out. Fires for every kind of call.
	CondIncomplete = "incomplete"
)

// Conditions an on=session guard can test.
const (
	// The session read a credential and this call sends data to another host.
	CondCredentialThenSend = "credential-then-send"
	// This call sends a credential file or a secret value the session read.
	CondCredentialSent = "credential-sent"
	// This call sends a file the session wrote holding a secret.
	CondSecretFileSent = "secret-file-sent"
)
