package packs

// The clients' locations are members of the protected set in these tests,
// as in the binary (clients registers them with package protect).
import _ "github.com/bulwark-guard/bulwark/clients"
