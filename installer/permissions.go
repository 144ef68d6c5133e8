package installer

import "slices"

// InstallDenyRules ensures every wanted rule is in permissions.deny. Rules an
// earlier install added but that are no longer wanted (e.g. install without
// --deny-native after one with it) are removed. The record lists the rules
// added by bulwark (DenyAdded) and the wanted ones the user already had
// (DenyPreexisting); only the former are ever removed.
func InstallDenyRules(root *Value, o Options, rec, prev *Record) error {
	var prevAdded, prevPre []string
	if prev != nil {
		prevAdded, prevPre = prev.DenyAdded, prev.DenyPreexisting
	}
	if len(o.DenyRules) == 0 && len(prevAdded) == 0 {
		return nil
	}
	perms, err := Ensure(root, "permissions", "permissions", KindObject, rec)
	if err != nil {
		return err
	}
	deny, err := Ensure(perms, "deny", "permissions/deny", KindArray, rec)
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

// UninstallDenyRules removes the rules the record lists as added by bulwark, then
// permissions.deny and permissions if install created them and they are
// empty now. Without a record no rule is touched.
func UninstallDenyRules(root *Value, rec *Record) error {
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
	if deny.Empty() && rec.IsCreated("permissions/deny") {
		perms.Delete("deny")
		if perms.Empty() && rec.IsCreated("permissions") {
			root.Delete("permissions")
		}
	}
	return nil
}
