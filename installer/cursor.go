package installer

// Cursor: ~/.cursor/hooks.json or .cursor/hooks.json. Install sets
// "version": 1 when the file has no version, and appends one handler
//
//	{"command": "\"/abs/bulwark\" hook --client cursor --profile balanced",
//	 "timeout": 10, "failClosed": true}
//
// to each of hooks.beforeShellExecution, beforeReadFile, beforeMCPExecution
// and afterFileEdit (Cursor event arrays hold handlers, not matcher groups).
// failClosed makes Cursor block when the hook fails instead of running the
// action unguarded.
var cursorSpec = &spec{
	client:  Cursor,
	events:  []string{"beforeShellExecution", "beforeReadFile", "beforeMCPExecution", "afterFileEdit"},
	grouped: false,
	handler: func(cmd string, o Options) *Value {
		return NewObject(
			"command", NewString(cmd),
			"timeout", NewInt(o.timeout()),
			"failClosed", NewBool(true),
		)
	},
	extra: func(root *Value, _ Options, rec, _ *Record) error {
		if root.Get("version") == nil {
			// Put it first, where Cursor's own examples have it.
			root.Members = append([]Member{{Key: "version", RawKey: Quote("version"), Value: NewInt(1)}}, root.Members...)
			rec.markCreated("version")
		}
		return nil
	},
	unextra: func(root *Value, rec *Record) error {
		if rec.created("version") {
			root.Delete("version")
		}
		return nil
	},
}
