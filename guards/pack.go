package guards

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/dlclark/regexp2"

	"github.com/bulwark-guard/bulwark/redact"
)

// validName reports whether s is lower-case letters, digits and '-',
// starting with a letter. (Checked by hand: no regex compile at start-up.)
func validName(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// validGuardID reports whether id is family.name.
func validGuardID(id string) bool {
	fam, name, ok := strings.Cut(id, ".")
	return ok && validName(fam) && name != "" && !strings.Contains(name, ".") &&
		validName("x"+name)
}

// ParsePack decodes one pack from TOML, strictly: unknown keys, bad values and
// regexes that do not compile are errors naming the pack and the guard.
// It does not run the examples (see CheckExamples).
func ParsePack(source string, data []byte) (PackSpec, error) {
	var p PackSpec
	md, err := toml.Decode(string(data), &p)
	if err != nil {
		return PackSpec{}, fmt.Errorf("pack %s: %w", source, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return PackSpec{}, fmt.Errorf("pack %s: unknown keys: %s", source, strings.Join(keys, ", "))
	}
	p.Source = source
	if err := ValidatePack(&p); err != nil {
		return PackSpec{}, err
	}
	return p, nil
}

// ValidatePack checks a pack's structure and regexes and normalises keywords
// and command names to lower case. Every problem is reported, each naming the
// pack and the guard id.
func ValidatePack(p *PackSpec) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("pack %s: "+format, append([]any{p.Source}, args...)...))
	}
	if !validName(p.Family) {
		bad("family %q must be lower-case letters, digits and '-'", p.Family)
	}
	if strings.TrimSpace(p.Title) == "" {
		bad("title is empty")
	}
	if len(p.Guards) == 0 {
		bad("has no guards")
	}
	seen := map[string]bool{}
	for i := range p.Guards {
		g := &p.Guards[i]
		for _, err := range validateGuard(p.Family, g) {
			errs = append(errs, fmt.Errorf("pack %s: guard %s: %w", p.Source, guardName(g, i), err))
		}
		if seen[g.ID] {
			bad("guard %s: duplicate id", g.ID)
		}
		seen[g.ID] = true
	}
	return errors.Join(errs...)
}

func guardName(g *GuardSpec, i int) string {
	if g.ID != "" {
		return g.ID
	}
	return fmt.Sprintf("#%d", i+1)
}

// fieldsFor lists, per target, the optional condition fields a guard may set;
// a field set for a target that ignores it is an error, because a pack author
// who writes it expects it to matter. (A switch, not a map literal, which
// would be built at package init in every hook process.)
func fieldsFor(on string) ([]string, bool) {
	switch on {
	case OnCommand:
		return []string{"commands", "flags", "not_flags", "args", "not_args", "stdin", "input", "fed_by", "not_feeds", "dynamic", "assigns", "paths", "not_paths"}, true
	case OnFile:
		return []string{"paths", "not_paths", "access", "except_commands"}, true
	case OnContent:
		return []string{"keywords", "pattern", "not_pattern", "secret", "secrets", "paths", "not_paths"}, true
	case OnURL:
		return []string{"keywords", "pattern", "not_pattern"}, true
	case OnOutput:
		return []string{"keywords", "pattern", "not_pattern", "secret", "secrets"}, true
	case OnAnalysis, OnSession:
		return []string{"condition"}, true
	case OnProtected:
		// commands: for the relocation conditions, the agents an assignment reaches.
		return []string{"condition", "commands"}, true
	case OnConfig:
		return []string{"condition"}, true
	}
	return nil, false
}

func validateGuard(family string, g *GuardSpec) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !validGuardID(g.ID) {
		bad("id %q must be family.name in lower case", g.ID)
	} else if !strings.HasPrefix(g.ID, family+".") {
		bad("id %q must start with the pack's family %q", g.ID, family+".")
	}
	if strings.TrimSpace(g.Title) == "" {
		bad("title is empty")
	}
	if _, err := ParseSeverity(g.Severity); err != nil {
		bad("%v", err)
	}
	if strings.TrimSpace(g.Reason) == "" {
		bad("reason is empty: say why this is dangerous")
	}
	if g.On == OnOutput && strings.TrimSpace(g.Instead) == "" {
		g.Instead = "Do not repeat, store or act on this output."
	}
	if strings.TrimSpace(g.Instead) == "" {
		bad("instead is empty: give the agent a safer way")
	}
	allowed, ok := fieldsFor(g.On)
	if !ok {
		bad("on %q must be one of command, file, content, url, output, analysis, session, protected, config", g.On)
		return errs
	}
	for _, f := range setFields(g) {
		if !contains(allowed, f) {
			bad("%s does not apply to on = %q", f, g.On)
		}
	}
	switch g.Engine {
	case "", "re2", "regexp2":
	default:
		bad("engine %q must be re2 or regexp2", g.Engine)
	}
	for i, k := range g.Keywords {
		g.Keywords[i] = strings.ToLower(k)
		if strings.TrimSpace(k) == "" {
			bad("empty keyword")
		}
	}
	for i, c := range g.Commands {
		g.Commands[i] = strings.Join(strings.Fields(strings.ToLower(c)), " ")
		if g.Commands[i] == "" {
			bad("empty command name")
		}
	}
	for i, c := range g.NotFeeds {
		g.NotFeeds[i] = strings.Join(strings.Fields(strings.ToLower(c)), " ")
		if g.NotFeeds[i] == "" {
			bad("empty command name in not_feeds")
		}
	}
	for _, f := range append(append([]string{}, g.Flags...), g.NotFlags...) {
		if !strings.HasPrefix(f, "-") || f == "-" || f == "--" {
			bad("flag %q must start with - or --", f)
		}
	}
	switch g.On {
	case OnCommand:
		if len(g.Commands) == 0 {
			bad("on = \"command\" needs commands (they are its prefilter)")
		}
	case OnFile:
		if g.Paths == "" {
			bad("on = \"file\" needs paths")
		}
		switch g.Access {
		case "", "any", "read", "write":
		default:
			bad("access %q must be read, write or any", g.Access)
		}
	case OnContent, OnURL, OnOutput:
		if len(g.Secrets) > 0 {
			for _, e := range secretFormats(g) {
				bad("%v", e)
			}
			break
		}
		if g.Pattern == "" {
			bad("on = %q needs a pattern (or secrets)", g.On)
		}
		if len(g.Keywords) == 0 {
			bad("on = %q needs keywords (they are its prefilter)", g.On)
		}
	case OnAnalysis:
		switch g.Condition {
		case CondUnparsed, CondDepth, CondLimit, CondDynamicName, CondIncomplete:
		default:
			bad("condition %q must be unparsed, depth, limit, dynamic-name or incomplete", g.Condition)
		}
	case OnSession:
		switch g.Condition {
		case CondCredentialThenSend, CondCredentialSent, CondSecretFileSent:
		default:
			bad("condition %q must be credential-then-send, credential-sent or secret-file-sent", g.Condition)
		}
	case OnConfig:
		if _, ok := ConfigCondition(g.Condition); !ok {
			bad("condition %q is not an audit condition (see guards.ConfigCondition)", g.Condition)
		}
	case OnProtected:
		switch g.Condition {
		case CondProtectedWrite, CondProtectedAncestor, CondProtectedState, CondProtectedRead, CondProgramRun, CondProgramCopy:
			if len(g.Commands) > 0 {
				bad("commands applies only to the relocate conditions")
			}
		case CondRelocate, CondRelocateShell:
		default:
			bad("condition %q must be write, ancestor, state, read, program-run, program-copy, relocate or relocate-shell", g.Condition)
		}
	}
	g.Literals = RegexLiterals{}
	for _, f := range g.regexFields() {
		name, expr := f.name, f.expr
		if expr == "" {
			continue
		}
		if err := checkRegex(g.Engine, expr); err != nil {
			bad("%s: %v", name, err)
			continue
		}
		if g.Engine == "regexp2" {
			*g.Literals.field(name) = RequiredLiterals2(expr)
		} else if lits := RequiredLiterals(expr); lits != nil {
			*g.Literals.field(name) = [][]string{lits}
		}
	}
	if len(g.Match) == 0 {
		bad("needs at least one example in match")
	}
	if len(g.NotMatch) == 0 {
		bad("needs at least one harmless look-alike in not_match")
	}
	return errs
}

// secretFormats checks a guard's secrets against redact's list and derives
// what they imply: the keywords (the formats' own, in order, each once) and
// secret. A pattern, not_pattern or keywords of its own would be a second
// description of the same formats, so they are errors (keywords equal to
// the derived ones are accepted, so validating twice is harmless).
func secretFormats(g *GuardSpec) []error {
	var errs []error
	if g.Pattern != "" || g.NotPattern != "" {
		errs = append(errs, errors.New("secrets replaces pattern and not_pattern: set one or the other"))
	}
	var kws []string
	for _, id := range g.Secrets {
		r, ok := redact.Lookup(id)
		if !ok {
			errs = append(errs, fmt.Errorf("secrets: unknown secret format %q (see redact/rules.go)", id))
			continue
		}
		for _, k := range r.Keywords {
			if !contains(kws, k) {
				kws = append(kws, k)
			}
		}
	}
	if len(g.Keywords) > 0 && !slices.Equal(g.Keywords, kws) {
		errs = append(errs, errors.New("keywords are derived from secrets: leave them out"))
	}
	g.Keywords, g.Secret = kws, true
	return errs
}

// regexFields lists a guard's regex fields by TOML name, in a fixed order so
// that validation errors come out the same way every time.
func (g *GuardSpec) regexFields() []struct{ name, expr string } {
	return []struct{ name, expr string }{
		{"args", string(g.Args)}, {"not_args", string(g.NotArgs)}, {"stdin", string(g.Stdin)}, {"input", string(g.Input)},
		{"paths", string(g.Paths)}, {"not_paths", string(g.NotPaths)}, {"pattern", string(g.Pattern)},
		{"not_pattern", string(g.NotPattern)}, {"assigns", string(g.Assigns)},
	}
}

func checkRegex(engine, expr string) error {
	if engine == "regexp2" {
		_, err := regexp2.Compile(expr, regexp2.RE2)
		return err
	}
	_, err := regexp.Compile(expr)
	return err
}

// setFields names the optional condition fields a guard sets.
func setFields(g *GuardSpec) []string {
	var f []string
	add := func(name string, set bool) {
		if set {
			f = append(f, name)
		}
	}
	add("commands", len(g.Commands) > 0)
	add("keywords", len(g.Keywords) > 0)
	add("flags", len(g.Flags) > 0)
	add("not_flags", len(g.NotFlags) > 0)
	add("args", g.Args != "")
	add("not_args", g.NotArgs != "")
	add("stdin", g.Stdin != "")
	add("input", g.Input != "")
	add("fed_by", len(g.FedBy) > 0)
	add("not_feeds", len(g.NotFeeds) > 0)
	add("dynamic", g.Dynamic)
	add("assigns", g.Assigns != "")
	add("not_pattern", g.NotPattern != "")
	add("paths", g.Paths != "")
	add("not_paths", g.NotPaths != "")
	add("access", g.Access != "")
	add("except_commands", len(g.ExceptCommands) > 0)
	add("pattern", g.Pattern != "")
	add("secrets", len(g.Secrets) > 0)
	add("secret", g.Secret)
	add("condition", g.Condition != "")
	sort.Strings(f)
	return f
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CheckUniqueIDs reports guard ids defined by more than one pack.
func CheckUniqueIDs(packs []PackSpec) error {
	where := map[string]string{}
	var errs []error
	for _, p := range packs {
		for _, g := range p.Guards {
			if other, ok := where[g.ID]; ok && other != p.Source {
				errs = append(errs, fmt.Errorf("guard %s is defined in both %s and %s", g.ID, other, p.Source))
			}
			where[g.ID] = p.Source
		}
	}
	return errors.Join(errs...)
}
